#compdef mfa-login mfa-env
# zsh completion for mfa-login and mfa-env
#
# Install (either one):
#   mfa-login completion zsh > "${fpath[1]}/_mfa-login"     # then start a new shell
#   source <(mfa-login completion zsh)                       # in ~/.zshrc, after compinit
#
# Profile names come from `mfa-login __profiles` (~/.aws/config and ~/.aws/credentials).

# Profile names, from the mfa-login in $_mfa_login_bin (set by _mfa-login).
__mfa-login_profiles() {
  local -a profiles
  [[ -n $_mfa_login_bin ]] || return 1
  # Completing a flag: no need to run mfa-login (_arguments offers the flags).
  [[ $PREFIX == -* ]] && return 1
  profiles=(${(f)"$(_call_program profiles ${(q)_mfa_login_bin} __profiles 2>/dev/null </dev/null)"})
  _wanted profiles expl profile compadd -a - profiles
}

__mfa-login_commands() {
  local -a commands
  commands=(
    'login:get an MFA session and write it to ~/.aws/credentials'
    "add:store an IAM user's long-term keys in the keychain"
    "remove:delete a profile's keys from the keychain and forget its sessions"
    'list:profiles with stored keys'
    'logout:forget cached sessions of a profile, or all of them'
    'credential-process:print credentials as the JSON that credential_process expects'
    "session:start or check a profile's session without printing credentials"
    "exec:run a command with the profile's credentials in its environment"
    "serve:serve a profile's credentials on a local endpoint until stopped"
    'setup:add a credential_process profile to ~/.aws/config that calls mfa-login'
    'completion:print the completion script for bash, zsh, fish or nu'
    'status:profiles, where their keys live, and the time left on their sessions'
    'doctor:check the keychain, config files, clock and credential_process hooks'
    'policy:print the IAM policy that makes MFA mandatory, and a role trust policy that demands it'
    'demo:the whole flow against a local STS, in a throw-away HOME (no AWS account needed)'
    'agent:the session agent: status or stop'
    'console:open the AWS console in your browser, signed in as a role profile'
    'shell-init:print shell functions: mfa-use PROFILE switches the current shell, mfa_prompt shows it'
    'profiles:print the profile names, one a line'
    'mfa:set up a virtual MFA device for an IAM user (create), or bring a drifted one back in step (resync)'
    "rotate:replace the IAM user's access key with a new one, and delete the old one"
  )
  _describe -t commands command commands
}

# The command after `mfa-login exec PROFILE [--]`, completed as zsh would complete it alone.
__mfa-login_exec_command() {
  # words: PROFILE [--] COMMAND ARGS...
  if (( CURRENT == 2 )) && [[ $PREFIX == -* ]]; then
    # `exec PROFILE -<Tab>`: exec's own flags (PROFILE stands in for the command name)
    local ret=1
    _arguments -S : $exec_opts && ret=0
    [[ -- == $PREFIX* ]] && compadd -- -- && ret=0
    return ret
  fi
  shift words
  (( CURRENT-- ))
  if [[ $words[1] == -- ]] && (( CURRENT > 1 )); then
    shift words
    (( CURRENT-- ))
  fi
  _normal
}

_mfa-login() {
  local curcontext=$curcontext state state_descr line ret=1
  local -A opt_args
  local _mfa_login_bin=${(Q)words[1]}
  [[ $_mfa_login_bin == '~/'* ]] && _mfa_login_bin=$HOME/${_mfa_login_bin#'~/'}

  local -a global_opts login_opts code_opts exec_opts
  global_opts=(
    '--debug[say what is done and why; show stack traces]'
    '(- *)'{-h,--help}'[show help]'
    '(- *)--version[show version number]'
  )
  code_opts=(
    '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process]:code: '
    '--duration=[length of the MFA session: seconds, or 12h, 90m]:duration: '
    "--region=[the region to use, over the profile's own]:region: "
  )

  if [[ ${words[1]:t} == mfa-env* ]]; then
    # The mfa-login on PATH, else the one next to this mfa-env.
    local env_dir
    if (( $+commands[mfa-login] )); then
      _mfa_login_bin=mfa-login
    else
      if [[ $_mfa_login_bin == */* ]]; then env_dir=${_mfa_login_bin:h}; else env_dir=${commands[$_mfa_login_bin]:h}; fi
      _mfa_login_bin=
      [[ -n $env_dir && -x $env_dir/mfa-login ]] && _mfa_login_bin=$env_dir/mfa-login
    fi
    _arguments -S : \
      '--shell=[the shell to print for (default: detected)]:shell:(sh bash zsh fish powershell pwsh nu)' \
      '--unset[print what clears the variables instead]' \
      $code_opts $global_opts \
      '1:profile:__mfa-login_profiles' && ret=0
    return ret
  fi

  login_opts=(
    '--to=[write to this profile name in the credentials file]:profile:__mfa-login_profiles'
    $code_opts
  )

  _arguments -C : $global_opts $login_opts \
    '(-)1: :->first' \
    '(-)*:: :->args' && ret=0

  case $state in
    first)
      _alternative 'commands:command:__mfa-login_commands' 'profiles:profile:__mfa-login_profiles' && ret=0
      ;;
    args)
      curcontext=${curcontext%:*:*}:mfa-login-$words[1]:
      case $words[1] in
        login)
          _arguments -S : $global_opts $login_opts '1:profile:__mfa-login_profiles' && ret=0
          ;;
        add)
          _arguments -S : $global_opts \
            "--from-env[take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment]" \
            "--import[move the keys in ~/.aws/credentials for this profile into the keychain]" \
            "--mfa-serial=[the MFA device ARN to record, instead of finding it]:MFA device ARN: " \
            '(-y --yes)'{-y,--yes}'[record the MFA device found without asking]' \
            '1:profile:__mfa-login_profiles' && ret=0
          ;;
        remove)
          _arguments -S : $global_opts '1:profile:__mfa-login_profiles' && ret=0
          ;;
        list|status)
          _arguments -S : $global_opts '--json[print JSON]' && ret=0
          ;;
        logout)
          _arguments -S : $global_opts '--all[forget every cached session]' '--keep-files[keep the sessions mfa-login wrote to ~/.aws/credentials]' '1:profile:__mfa-login_profiles' && ret=0
          ;;
        credential-process|session|rotate)
          _arguments -S : $global_opts $code_opts '1:profile:__mfa-login_profiles' && ret=0
          ;;
        exec)
          exec_opts=($global_opts $code_opts '--allow-nested[allow exec inside another mfa-login exec]'
            '--server[give the command a local credential endpoint instead of keys]'
            '--port=[with --server: the loopback port to listen on]:port: ')
          _arguments -S : $exec_opts \
            '1:profile:__mfa-login_profiles' \
            '*:: :__mfa-login_exec_command' && ret=0
          ;;
        serve)
          _arguments -S : $global_opts $code_opts \
            '--port=[the loopback port to listen on (default: a free one)]:port: ' \
            '--shell=[the shell to print the variables for (default: detected)]:shell:(sh bash zsh fish powershell pwsh nu)' \
            '1:profile:__mfa-login_profiles' && ret=0
          ;;
        setup)
          _arguments -S : $global_opts \
            '--name=[the profile to write (default: PROFILE-mfa)]:profile name: ' \
            '1:profile:__mfa-login_profiles' && ret=0
          ;;
        completion)
          _arguments -S : $global_opts '1:shell:(bash zsh fish nu)' && ret=0
          ;;
        console)
          _arguments -S : $global_opts $code_opts \
            '--print[print the sign-in URL instead of opening a browser]' \
            '(--path)--service=[the console page of this service, e.g. s3]:service: ' \
            '(--service)--path=[the console page at this path, e.g. /s3/buckets]:path: ' \
            '1:profile:__mfa-login_profiles' && ret=0
          ;;
        shell-init)
          _arguments -S : $global_opts '1:shell:(bash zsh fish powershell nu)' && ret=0
          ;;
        profiles)
          _arguments -S : $global_opts && ret=0
          ;;
        doctor)
          _arguments -S : $global_opts && ret=0
          ;;
        policy)
          _arguments -S : $global_opts \
            '--account=[the 12-digit account id to fill in]:account id: ' \
            '--partition=[the partition to fill in]:partition:(aws aws-us-gov aws-cn)' \
            '1:profile:__mfa-login_profiles' && ret=0
          ;;
        demo)
          _arguments -S : $global_opts \
            '(-y --yes)'{-y,--yes}'[accept the shown code instead of typing it]' && ret=0
          ;;
        mfa)
          _arguments -S : $global_opts \
            "--name=[create: the device's name (default: the IAM user's name)]:device name: " \
            '1:action:((create\:"set up a virtual MFA device" resync\:"bring a drifted device back in step"))' \
            '2:profile:__mfa-login_profiles' && ret=0
          ;;
        agent)
          _arguments -S : $global_opts '1:action:((status\:"is the session agent running" stop\:"stop the session agent"))' && ret=0
          ;;
        *)
          # `mfa-login PROFILE`: login's flags
          _arguments -S : $global_opts $login_opts && ret=0
          ;;
      esac
      ;;
  esac
  return ret
}

if [[ $funcstack[1] == _mfa-login ]]; then
  # autoloaded from $fpath
  _mfa-login "$@"
else
  # sourced
  compdef _mfa-login mfa-login mfa-env
fi
