# fish completion for mfa-login and mfa-env
#
# Install:
#   mfa-login completion fish > ~/.config/fish/completions/mfa-login.fish
#   ln -s mfa-login.fish ~/.config/fish/completions/mfa-env.fish   # so mfa-env loads it too
# or, for the current shell only:
#   mfa-login completion fish | source
#
# Profile names come from `mfa-login __profiles` (~/.aws/config and ~/.aws/credentials).

# Loading this file again replaces what it defined before.
complete -c mfa-login -e
complete -c mfa-env -e

# Where the command line before the cursor is: "COMMAND:N" (COMMAND is empty before one,
# "-" for `mfa-login PROFILE`; N is the number of its positionals), or "exec-command" once
# the command run by `mfa-login exec PROFILE [--]` has started.
function __mfa_login_where
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_flags (__mfa_login_value_flags)
    set -l commands (__mfa_login_commands)
    set -l cmd
    set -l npos 0
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if test "$cmd" = exec -a $npos -ge 1
            if test "x$t" = x--; or not string match -q -- '-*' $t
                echo exec-command
                return
            end
        end
        if contains -- $t $value_flags
            set skip 1
        else if not string match -q -- '-*' $t
            if test -z "$cmd"
                if contains -- $t $commands
                    set cmd $t
                else
                    set cmd -
                end
            else
                set npos (math $npos + 1)
            end
        end
    end
    echo "$cmd:$npos"
end

# Succeeds if __mfa_login_where matches one of the patterns.
function __mfa_login_at
    set -l where (__mfa_login_where)
    for pattern in $argv
        string match -q -- $pattern $where; and return 0
    end
    return 1
end

# Succeeds if the token being completed is a flag, not a flag's value: then no profile names
# are needed, and running mfa-login for them would only slow the completion down.
function __mfa_login_completing_flag
    set -l current (commandline -ct)
    string match -q -- '-*' $current; and not string match -q -- '--*=*' $current
end

function __mfa_login_tilde
    string replace -r -- '^~/' "$HOME/" $argv[1]
end

# Profile names, from the mfa-login that is being completed.
function __mfa_login_profiles
    __mfa_login_completing_flag; and return
    set -l bin (__mfa_login_tilde (commandline -opc)[1])
    test -n "$bin"; and $bin __profiles 2>/dev/null </dev/null
end

# Profile names for mfa-env: from the mfa-login on PATH, else the one next to this mfa-env.
function __mfa_env_profiles
    __mfa_login_completing_flag; and return
    set -l bin mfa-login
    if not command -q mfa-login
        set -l env (__mfa_login_tilde (commandline -opc)[1])
        string match -q -- '*/*' $env; or set env (command -s -- $env)
        test -n "$env"; or return
        set bin (string replace -r -- '/[^/]*$' '' $env)/mfa-login
        test -x $bin; or return
    end
    $bin __profiles 2>/dev/null </dev/null
end

# The command after `mfa-login exec PROFILE [--]`, completed as fish would complete it alone.
function __mfa_login_exec_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_flags (__mfa_login_value_flags)
    set -l rest
    set -l dashdash 0
    set -l cmd
    set -l npos 0
    set -l skip 0
    for i in (seq (count $tokens))
        set -l t $tokens[$i]
        if test $skip -eq 1
            set skip 0
            continue
        end
        if test "$cmd" = exec -a $npos -ge 1
            if test "x$t" = x--
                set dashdash 1
                set rest $tokens[(math $i + 1)..-1]
                break
            else if not string match -q -- '-*' $t
                set rest $tokens[$i..-1]
                break
            end
        end
        if contains -- $t $value_flags
            set skip 1
        else if not string match -q -- '-*' $t
            if test -z "$cmd"
                set cmd $t
            else
                set npos (math $npos + 1)
            end
        end
    end
    set -l current (commandline -ct)
    if not set -q rest[1]
        # `exec PROFILE <Tab>` offers "--", `exec PROFILE -<Tab>` the flags of exec (other
        # lines); a command name does not start with "-".
        test $dashdash -eq 1 -o -n "$current"; or return
        string match -q -- '-*' $current; and return
    end
    __fish_complete_subcommand --commandline $rest $current
end

complete -c mfa-login -f

# >>> made from the command table (src/cli/definitions/) by `npm run completions`: do not edit
# The commands --help lists.
function __mfa_login_commands
    printf '%s\n' login add remove list logout credential-process session exec serve setup completion console shell-init profiles status doctor policy demo agent mfa rotate
end

# The flags that take a value in the next word.
function __mfa_login_value_flags
    printf '%s\n' --to --mfa-token --duration --region --session-tags --transitive-session-tags --policy-arn --policy --mfa-serial --port --ensure --shell --name --service --path --account --partition
end

# Commands, and `mfa-login PROFILE`
complete -c mfa-login -n '__mfa_login_at ":0"' -a login -d 'get an MFA session and write it to ~/.aws/credentials'
complete -c mfa-login -n '__mfa_login_at ":0"' -a add -d 'store an IAM user\'s long-term keys in the keychain'
complete -c mfa-login -n '__mfa_login_at ":0"' -a remove -d 'delete a profile\'s keys from the keychain and forget its sessions'
complete -c mfa-login -n '__mfa_login_at ":0"' -a list -d 'profiles with stored keys'
complete -c mfa-login -n '__mfa_login_at ":0"' -a logout -d 'forget the cached sessions of a profile (default: $AWS_PROFILE, then "default"), or all with --all'
complete -c mfa-login -n '__mfa_login_at ":0"' -a credential-process -d 'print credentials as the JSON that credential_process in ~/.aws/config expects'
complete -c mfa-login -n '__mfa_login_at ":0"' -a session -d 'start or check a profile\'s session without printing credentials'
complete -c mfa-login -n '__mfa_login_at ":0"' -a exec -d 'run a command with the profile\'s credentials in its environment'
complete -c mfa-login -n '__mfa_login_at ":0"' -a serve -d 'serve a profile\'s credentials on a local endpoint (for IDEs, desktop apps, containers) until stopped'
complete -c mfa-login -n '__mfa_login_at ":0"' -a setup -d 'add a credential_process profile to ~/.aws/config that calls mfa-login'
complete -c mfa-login -n '__mfa_login_at ":0"' -a completion -d 'print the completion script for bash, zsh, fish or nu'
complete -c mfa-login -n '__mfa_login_at ":0"' -a console -d 'open the AWS console in your browser, signed in as a role profile'
complete -c mfa-login -n '__mfa_login_at ":0"' -a shell-init -d 'print shell functions: mfa-use PROFILE switches the current shell, mfa_prompt shows it'
complete -c mfa-login -n '__mfa_login_at ":0"' -a profiles -d 'print the profile names in ~/.aws/config and ~/.aws/credentials, one a line'
complete -c mfa-login -n '__mfa_login_at ":0"' -a status -d 'profiles, where their keys live, and the time left on their sessions'
complete -c mfa-login -n '__mfa_login_at ":0"' -a doctor -d 'check the keychain, config files, clock and credential_process hooks'
complete -c mfa-login -n '__mfa_login_at ":0"' -a policy -d 'print the IAM policy that makes MFA mandatory, and a role trust policy that demands it'
complete -c mfa-login -n '__mfa_login_at ":0"' -a demo -d 'the whole flow against a local STS, in a throw-away HOME (no AWS account needed)'
complete -c mfa-login -n '__mfa_login_at ":0"' -a agent -d 'the session agent: status or stop'
complete -c mfa-login -n '__mfa_login_at ":0"' -a mfa -d 'set up a virtual MFA device for an IAM user (create), or bring a drifted one back in step (resync)'
complete -c mfa-login -n '__mfa_login_at ":0"' -a rotate -d 'replace the IAM user\'s access key with a new one, and delete the old one'
complete -c mfa-login -n '__mfa_login_at ":0" "login:0" "add:0" "remove:0" "logout:0" "credential-process:0" "session:0" "exec:0" "serve:0" "setup:0" "console:0" "policy:0" "mfa:1" "rotate:0"' -a '(__mfa_login_profiles)' -d profile
complete -c mfa-login -n '__mfa_login_at "completion:0"' -a 'bash zsh fish nu nushell' -d shell
complete -c mfa-login -n '__mfa_login_at "shell-init:0"' -a 'bash zsh fish powershell pwsh nu nushell' -d shell
complete -c mfa-login -n '__mfa_login_at "agent:0"' -a 'status stop' -d action
complete -c mfa-login -n '__mfa_login_at "mfa:0"' -a 'create resync' -d action

# Every command
complete -c mfa-login -n 'not __mfa_login_at exec-command' -l debug -d 'say what is done and why; show stack traces'
complete -c mfa-login -n 'not __mfa_login_at exec-command' -s h -l help -d 'show help'
complete -c mfa-login -n 'not __mfa_login_at exec-command' -l version -d 'show version number'

# The flags of each command (":*" and "-:*" are `mfa-login PROFILE`)
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*"' -l to -x -a '(__mfa_login_profiles)' -d 'write to this profile name in the credentials file (default: the profile\'s own name)'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*" "credential-process:*" "session:*" "exec:*" "serve:*" "rotate:*"' -l mfa-token -x -d 'the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*"' -l duration -x -d 'length of the MFA session, 30m to 36h: seconds or 12h, 90m (default: duration_seconds, else 12h)'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*"' -l region -x -d 'the region to use and to give the written profile, over the profile\'s own'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*" "credential-process:*" "session:*" "exec:*" "serve:*" "console:*"' -l session-tags -x -d 'tag the role session: key1=value1,key2=value2, instead of the profile\'s session_tags'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*" "credential-process:*" "session:*" "exec:*" "serve:*" "console:*"' -l transitive-session-tags -x -d 'keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*" "credential-process:*" "session:*" "exec:*" "serve:*" "console:*"' -l policy-arn -x -d 'narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns'
complete -c mfa-login -n '__mfa_login_at ":*" "-:*" "login:*" "credential-process:*" "session:*" "exec:*" "serve:*" "console:*"' -l policy -x -d 'narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)'
complete -c mfa-login -n '__mfa_login_at "add:*"' -l from-env -d 'take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment'
complete -c mfa-login -n '__mfa_login_at "add:*"' -l import -d 'move the keys in ~/.aws/credentials for this profile into the keychain'
complete -c mfa-login -n '__mfa_login_at "add:*"' -l mfa-serial -x -d 'the MFA device ARN to record, instead of finding it'
complete -c mfa-login -n '__mfa_login_at "add:*"' -s y -l yes -d 'record the MFA device found without asking'
complete -c mfa-login -n '__mfa_login_at "list:*" "status:*"' -l json -d 'print JSON'
complete -c mfa-login -n '__mfa_login_at "logout:*"' -l all -d 'forget every cached session'
complete -c mfa-login -n '__mfa_login_at "logout:*"' -l keep-files -d 'keep the sessions mfa-login wrote to ~/.aws/credentials'
complete -c mfa-login -n '__mfa_login_at "credential-process:*" "session:*" "exec:*" "serve:*" "rotate:*"' -l duration -x -d 'length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)'
complete -c mfa-login -n '__mfa_login_at "credential-process:*" "session:*" "exec:*" "serve:*" "rotate:*"' -l region -x -d 'the region to use, over the profile\'s own'
complete -c mfa-login -n '__mfa_login_at "exec:*"' -l allow-nested -d 'allow exec inside another mfa-login exec'
complete -c mfa-login -n '__mfa_login_at "exec:*"' -l server -d 'give the command a local credential endpoint that renews the credentials, instead of keys'
complete -c mfa-login -n '__mfa_login_at "exec:*"' -l port -x -d 'with --server: the loopback port to listen on (default: a free one)'
complete -c mfa-login -n '__mfa_login_at "exec:*"' -l ensure -x -d 'make sure the session lasts at least this long (e.g. 2h, up to 36h) before starting, asking for a code now if it does not: with --server the MFA session the credentials are renewed from, else the keys themselves (a role reached through the MFA session: at most 1h)'
complete -c mfa-login -n '__mfa_login_at "serve:*"' -l port -x -d 'the loopback port to listen on (default: a free one)'
complete -c mfa-login -n '__mfa_login_at "serve:*"' -l shell -x -a 'sh bash zsh fish powershell pwsh nu nushell' -d 'the shell to print the variables for (default: detected)'
complete -c mfa-login -n '__mfa_login_at "serve:*"' -l ensure -x -d 'make sure the session lasts at least this long (e.g. 2h, up to 36h) before starting, asking for a code now if it does not: the MFA session the served credentials are renewed from'
complete -c mfa-login -n '__mfa_login_at "setup:*"' -l name -x -d 'the profile to write (default: PROFILE-mfa)'
complete -c mfa-login -n '__mfa_login_at "console:*"' -l print -d 'print the sign-in URL instead of opening a browser'
complete -c mfa-login -n '__mfa_login_at "console:*"' -l service -x -d 'the console page of this service, e.g. s3, ec2, iam'
complete -c mfa-login -n '__mfa_login_at "console:*"' -l path -x -d 'the console page at this path, e.g. /s3/buckets'
complete -c mfa-login -n '__mfa_login_at "console:*"' -l duration -x -d 'length of the console session, 15m to 12h (only for roles not reached by role chaining)'
complete -c mfa-login -n '__mfa_login_at "console:*"' -l mfa-token -x -d 'the 6-digit code, instead of a prompt or mfa_process'
complete -c mfa-login -n '__mfa_login_at "console:*"' -l region -x -d 'the console region, over the profile\'s own'
complete -c mfa-login -n '__mfa_login_at "policy:*"' -l account -x -d 'the 12-digit account id to fill in'
complete -c mfa-login -n '__mfa_login_at "policy:*"' -l partition -x -a 'aws aws-us-gov aws-cn' -d 'the partition to fill in'
complete -c mfa-login -n '__mfa_login_at "demo:*"' -s y -l yes -d 'accept the shown code instead of typing it'
complete -c mfa-login -n '__mfa_login_at "mfa:*"' -l name -x -d 'create: the device\'s name (default: the IAM user\'s name)'

# mfa-env
complete -c mfa-env -l shell -x -a 'sh bash zsh fish powershell pwsh nu nushell' -d 'the shell to print for (default: detected)'
complete -c mfa-env -l unset -d 'print what clears the variables instead'
complete -c mfa-env -l mfa-token -x -d 'the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead'
complete -c mfa-env -l duration -x -d 'length of the MFA session when a new one is needed, 30m to 36h'
complete -c mfa-env -l region -x -d 'the region to export, over the profile\'s own'
complete -c mfa-env -l session-tags -x -d 'tag the role session: key1=value1,key2=value2, instead of the profile\'s session_tags'
complete -c mfa-env -l transitive-session-tags -x -d 'keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags'
complete -c mfa-env -l policy-arn -x -d 'narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns'
complete -c mfa-env -l policy -x -d 'narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)'
complete -c mfa-env -l debug -d 'say what is done and why; show stack traces'
complete -c mfa-env -s h -l help -d 'show help'
complete -c mfa-env -l version -d 'show version number'
# <<< made from the command table

# exec PROFILE [--] COMMAND
complete -c mfa-login -n '__mfa_login_at "exec:1"' -a -- -d "the command follows"
complete -c mfa-login -n '__mfa_login_at exec-command "exec:1"' -a '(__mfa_login_exec_command)'

# mfa-env [PROFILE]
function __mfa_env_npos
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l value_flags (__mfa_login_value_flags)
    set -l npos 0
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if contains -- $t $value_flags
            set skip 1
        else if not string match -q -- '-*' $t
            set npos (math $npos + 1)
        end
    end
    echo $npos
end

complete -c mfa-env -f
complete -c mfa-env -n 'test (__mfa_env_npos) -eq 0' -a '(__mfa_env_profiles)' -d profile
