# bash completion for mfa-login and mfa-env
#
# Install (either one):
#   source <(mfa-login completion bash)        # in ~/.bashrc
#   mfa-login completion bash > ~/.local/share/bash-completion/completions/mfa-login
#     (bash-completion loads it on demand; link it as .../completions/mfa-env too)
#
# Profile names come from `mfa-login __profiles` (~/.aws/config and ~/.aws/credentials).

# >>> made from the command table (src/cli/definitions/) by `npm run completions`: do not edit
# The commands --help lists.
__mfa_login_commands() {
    printf '%s\n' login add remove list logout credential-process session exec serve setup completion console shell-init profiles status doctor policy demo agent mfa rotate
}

# Succeeds if $1 is one of them.
__mfa_login_is_command() {
    case $1 in
        login | add | remove | list | logout | credential-process | session | exec | serve | setup | completion | console | shell-init | profiles | status | doctor | policy | demo | agent | mfa | rotate) return 0 ;;
    esac
    return 1
}

# The flags of one mfa-login command ('' is `mfa-login <profile>`, i.e. login).
__mfa_login_flags() {
    case $1 in
        '' | login) printf '%s\n' --to --mfa-token --duration --region --session-tags --transitive-session-tags --policy-arn --policy ;;
        add) printf '%s\n' --from-env --import --mfa-serial --yes -y ;;
        list | status) printf '%s\n' --json ;;
        logout) printf '%s\n' --all --keep-files ;;
        credential-process | session) printf '%s\n' --mfa-token --duration --region --session-tags --transitive-session-tags --policy-arn --policy ;;
        exec) printf '%s\n' --mfa-token --duration --region --session-tags --transitive-session-tags --policy-arn --policy --allow-nested --server --port --ensure ;;
        serve) printf '%s\n' --mfa-token --duration --region --session-tags --transitive-session-tags --policy-arn --policy --port --shell --ensure ;;
        setup | mfa) printf '%s\n' --name ;;
        console) printf '%s\n' --print --service --path --duration --mfa-token --region --session-tags --transitive-session-tags --policy-arn --policy ;;
        policy) printf '%s\n' --account --partition ;;
        demo) printf '%s\n' --yes -y ;;
        rotate) printf '%s\n' --mfa-token --duration --region ;;
    esac
    printf '%s\n' --debug --help -h --version
}

# mfa-env's flags.
__mfa_env_flags() {
    printf '%s\n' --shell --unset --mfa-token --duration --region --session-tags --transitive-session-tags --policy-arn --policy --debug --help -h --version
}

# Succeeds if the flag takes a value in the next word (or after '=').
__mfa_login_takes_value() {
    case $1 in
        --to | --mfa-token | --duration | --region | --session-tags | --transitive-session-tags | --policy-arn | --policy | --mfa-serial | --port | --ensure | --shell | --name | --service | --path | --account | --partition) return 0 ;;
    esac
    return 1
}

# Completes the value $3 of the flag $2 (profile names from the mfa-login $1).
__mfa_login_flag_value() {
    case $2 in
        --to) __mfa_login_profiles "$1" "$3" ;;
        --shell) __mfa_login_add "$3" < <(printf '%s\n' sh bash zsh fish powershell pwsh nu nushell) ;;
        --partition) __mfa_login_add "$3" < <(printf '%s\n' aws aws-us-gov aws-cn) ;;
    esac
}

# Completes the word $4 as positional $3 (from 0) of the command $2 ('' before a command; profile
# names from the mfa-login $1).
__mfa_login_positional() {
    case $2:$3 in
        :0 | login:0 | add:0 | remove:0 | logout:0 | credential-process:0 | session:0 | exec:0 | serve:0 | setup:0 | console:0 | policy:0 | mfa:1 | rotate:0) __mfa_login_profiles "$1" "$4" ;;
        completion:0) __mfa_login_add "$4" < <(printf '%s\n' bash zsh fish nu nushell) ;;
        shell-init:0) __mfa_login_add "$4" < <(printf '%s\n' bash zsh fish powershell pwsh nu nushell) ;;
        agent:0) __mfa_login_add "$4" < <(printf '%s\n' status stop) ;;
        mfa:0) __mfa_login_add "$4" < <(printf '%s\n' create resync) ;;
        exec:*) __mfa_login_command_offset "$COMP_CWORD" ;;
    esac
}
# <<< made from the command table

# Adds the words of stdin (one a line) that start with $1 to COMPREPLY, quoted for the shell.
__mfa_login_add() {
    local word quoted
    while IFS= read -r word; do
        [[ -n $word && $word == "$1"* ]] || continue
        printf -v quoted '%q' "$word"
        COMPREPLY+=("$quoted")
    done
}

# Profile names, from the mfa-login given as $1.
__mfa_login_profiles() {
    local bin=$1 cur=$2
    [[ $bin == '~/'* ]] && bin=$HOME/${bin#'~/'}
    [[ -n $bin ]] || return 0
    __mfa_login_add "$cur" < <("$bin" __profiles 2>/dev/null </dev/null)
}

# Completes the command line from word $1 on as a command of its own (after `exec PROFILE --`).
__mfa_login_command_offset() {
    local offset=$1
    if declare -F _command_offset >/dev/null 2>&1; then
        _command_offset "$offset" # bash-completion
        return
    fi
    local cur=${COMP_WORDS[COMP_CWORD]}
    if ((COMP_CWORD == offset)); then
        __mfa_login_add "$cur" < <(compgen -c -- "$cur" | sort -u)
        return
    fi
    local cmd=${COMP_WORDS[offset]} spec func i
    spec=$(complete -p -- "$cmd" 2>/dev/null || complete -p -- "${cmd##*/}" 2>/dev/null)
    if [[ $spec =~ [[:space:]]-F[[:space:]]+([^[:space:]]+) ]]; then
        func=${BASH_REMATCH[1]}
        # Cut the words before the command off the line, as bash would have seen it.
        for ((i = 0; i < offset; i++)); do
            while [[ -n $COMP_LINE && $COMP_LINE != "${COMP_WORDS[i]}"* ]]; do
                COMP_LINE=${COMP_LINE:1}
                ((COMP_POINT--))
            done
            COMP_LINE=${COMP_LINE#"${COMP_WORDS[i]}"}
            ((COMP_POINT -= ${#COMP_WORDS[i]}))
        done
        while [[ $COMP_LINE == [[:space:]]* ]]; do
            COMP_LINE=${COMP_LINE:1}
            ((COMP_POINT--))
        done
        COMP_WORDS=("${COMP_WORDS[@]:offset}")
        ((COMP_CWORD -= offset))
        COMPREPLY=()
        "$func" "$cmd" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        return
    fi
    # No completion of its own: file names, as bash does by default.
    type compopt >/dev/null 2>&1 && compopt -o default
    COMPREPLY=()
}

# Completion of a flag's value; succeeds if the word being completed is one.
__mfa_login_value() {
    local bin=$1 flag=$2 cur=$3
    __mfa_login_takes_value "$flag" || return 1
    __mfa_login_flag_value "$bin" "$flag" "$cur"
    return 0
}

_mfa_login() {
    COMPREPLY=()
    local bin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD - 1]} prev2=
    ((COMP_CWORD >= 2)) && prev2=${COMP_WORDS[COMP_CWORD - 2]}

    # Walk the words before the cursor: the command, its positionals, and a '--'.
    local cmd= first= word i=1 npos=0
    while ((i < COMP_CWORD)); do
        word=${COMP_WORDS[i]}
        if [[ $cmd == exec ]] && ((npos >= 1)); then
            # After `exec PROFILE`, '--' or the first other word starts the command.
            if [[ $word == -- ]]; then
                __mfa_login_command_offset $((i + 1))
                return
            elif [[ $word != -* ]]; then
                __mfa_login_command_offset "$i"
                return
            fi
        fi
        case $word in
            -*)
                if __mfa_login_takes_value "$word"; then
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then ((i += 2)); else ((i += 1)); fi
                fi
                ;;
            =) ((i += 1)) ;; # --flag=VALUE
            :*) ((i += 1)) ;; # bash splits at ':' too: the rest of a value such as an ARN
            *)
                if [[ -z $first ]]; then
                    first=$word
                    if __mfa_login_is_command "$word"; then
                        cmd=$word
                    else
                        cmd=- # `mfa-login PROFILE`
                    fi
                else
                    ((npos += 1))
                fi
                ;;
        esac
        ((i += 1))
    done

    # --flag VALUE, --flag=VALUE (bash makes '--flag' '=' 'VALUE' of that), --flag=
    if [[ $cur == = ]] && __mfa_login_value "$bin" "$prev" ''; then return; fi
    if [[ $prev == = ]] && __mfa_login_value "$bin" "$prev2" "$cur"; then return; fi
    if [[ $prev != = ]] && __mfa_login_value "$bin" "$prev" "$cur"; then return; fi

    if [[ $cur == -* ]]; then
        local fcmd=$cmd
        [[ $fcmd == - ]] && fcmd=
        __mfa_login_add "$cur" < <(__mfa_login_flags "$fcmd")
        if [[ $cmd == exec ]] && ((npos >= 1)) && [[ -- == "$cur"* ]]; then COMPREPLY+=(--); fi
        return
    fi

    case $cmd in
        '')
            __mfa_login_add "$cur" < <(__mfa_login_commands)
            __mfa_login_positional "$bin" '' "$npos" "$cur"
            ;;
        -) ;; # `mfa-login PROFILE` takes no more words
        *) __mfa_login_positional "$bin" "$cmd" "$npos" "$cur" ;;
    esac
    return 0
}

# The mfa-login to ask for profile names on behalf of an mfa-env: the one on PATH, else the
# one next to this mfa-env.
__mfa_env_login_bin() {
    local env=$1 dir
    if type -P mfa-login >/dev/null 2>&1; then
        printf '%s\n' mfa-login
        return
    fi
    [[ $env == '~/'* ]] && env=$HOME/${env#'~/'}
    [[ $env == */* ]] || env=$(type -P -- "$env")
    dir=${env%/*}
    [[ -n $env && -x $dir/mfa-login ]] && printf '%s\n' "$dir/mfa-login"
}

_mfa_env() {
    COMPREPLY=()
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} prev2= bin=
    ((COMP_CWORD >= 2)) && prev2=${COMP_WORDS[COMP_CWORD - 2]}
    bin=$(__mfa_env_login_bin "${COMP_WORDS[0]}")

    if [[ $cur == = ]] && __mfa_login_value "$bin" "$prev" ''; then return; fi
    if [[ $prev == = ]] && __mfa_login_value "$bin" "$prev2" "$cur"; then return; fi
    if [[ $prev != = ]] && __mfa_login_value "$bin" "$prev" "$cur"; then return; fi

    if [[ $cur == -* ]]; then
        __mfa_login_add "$cur" < <(__mfa_env_flags)
        return
    fi
    local word i=1 npos=0
    while ((i < COMP_CWORD)); do
        word=${COMP_WORDS[i]}
        case $word in
            -*)
                if __mfa_login_takes_value "$word"; then
                    if [[ ${COMP_WORDS[i + 1]} == = ]]; then ((i += 2)); else ((i += 1)); fi
                fi
                ;;
            =) ((i += 1)) ;;
            :*) ((i += 1)) ;;
            *) ((npos += 1)) ;;
        esac
        ((i += 1))
    done
    ((npos == 0)) && __mfa_login_profiles "$bin" "$cur"
    return 0
}

complete -F _mfa_login mfa-login
complete -F _mfa_env mfa-env
