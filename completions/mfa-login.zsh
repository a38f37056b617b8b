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

# >>> made from the command table (src/cli/definitions/) by `npm run completions`: do not edit
__mfa-login_commands() {
  local -a commands
  commands=(
    'login:get an MFA session and write it to ~/.aws/credentials'
    'add:store an IAM user'\''s long-term keys in the keychain'
    'remove:delete a profile'\''s keys from the keychain and forget its sessions'
    'list:profiles with stored keys'
    'logout:forget the cached sessions of a profile (default: $AWS_PROFILE, then "default"), or all with --all'
    'credential-process:print credentials as the JSON that credential_process in ~/.aws/config expects'
    'session:start or check a profile'\''s session without printing credentials'
    'exec:run a command with the profile'\''s credentials in its environment'
    'serve:serve a profile'\''s credentials on a local endpoint (for IDEs, desktop apps, containers) until stopped'
    'setup:add a credential_process profile to ~/.aws/config that calls mfa-login'
    'completion:print the completion script for bash, zsh, fish or nu'
    'console:open the AWS console in your browser, signed in as a role profile'
    'shell-init:print shell functions: mfa-use PROFILE switches the current shell, mfa_prompt shows it'
    'profiles:print the profile names in ~/.aws/config and ~/.aws/credentials, one a line'
    'status:profiles, where their keys live, and the time left on their sessions'
    'doctor:check the keychain, config files, clock and credential_process hooks'
    'policy:print the IAM policy that makes MFA mandatory, and a role trust policy that demands it'
    'demo:the whole flow against a local STS, in a throw-away HOME (no AWS account needed)'
    'agent:the session agent: status or stop'
    'mfa:set up a virtual MFA device for an IAM user (create), or bring a drifted one back in step (resync)'
    'rotate:replace the IAM user'\''s access key with a new one, and delete the old one'
  )
  _describe -t commands command commands
}

# The _arguments specs of an mfa-login command ($1; '' for `mfa-login PROFILE`): the flags of
# every command in global_opts, its own in opts, its positionals in args. Fails for a word that
# is no command.
__mfa-login_specs() {
  global_opts=(
    '--debug[say what is done and why; show stack traces]'
    '(- *)'{-h,--help}'[show help]'
    '(- *)--version[show version number]'
  )
  case $1 in
    ''|login)
      opts=(
        '--to=[write to this profile name in the credentials file (default: the profile'\''s own name)]:to:__mfa-login_profiles'
        '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead]:mfa token: '
        '--duration=[length of the MFA session, 30m to 36h: seconds or 12h, 90m (default: duration_seconds, else 12h)]:duration: '
        '--region=[the region to use and to give the written profile, over the profile'\''s own]:region: '
        '--session-tags=[tag the role session: key1=value1,key2=value2, instead of the profile'\''s session_tags]:session tags: '
        '--transitive-session-tags=[keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags]:transitive session tags: '
        '*--policy-arn=[narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns]:policy arn: '
        '--policy=[narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)]:policy: '
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    add)
      opts=(
        '--from-env[take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment]'
        '--import[move the keys in ~/.aws/credentials for this profile into the keychain]'
        '--mfa-serial=[the MFA device ARN to record, instead of finding it]:mfa serial: '
        '(-y --yes)'{-y,--yes}'[record the MFA device found without asking]'
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    remove)
      opts=(
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    list|status)
      opts=(
        '--json[print JSON]'
      )
      args=()
      ;;
    logout)
      opts=(
        '--all[forget every cached session]'
        '--keep-files[keep the sessions mfa-login wrote to ~/.aws/credentials]'
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    credential-process|session)
      opts=(
        '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead]:mfa token: '
        '--duration=[length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)]:duration: '
        '--region=[the region to use, over the profile'\''s own]:region: '
        '--session-tags=[tag the role session: key1=value1,key2=value2, instead of the profile'\''s session_tags]:session tags: '
        '--transitive-session-tags=[keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags]:transitive session tags: '
        '*--policy-arn=[narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns]:policy arn: '
        '--policy=[narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)]:policy: '
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    exec)
      opts=(
        '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead]:mfa token: '
        '--duration=[length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)]:duration: '
        '--region=[the region to use, over the profile'\''s own]:region: '
        '--session-tags=[tag the role session: key1=value1,key2=value2, instead of the profile'\''s session_tags]:session tags: '
        '--transitive-session-tags=[keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags]:transitive session tags: '
        '*--policy-arn=[narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns]:policy arn: '
        '--policy=[narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)]:policy: '
        '--allow-nested[allow exec inside another mfa-login exec]'
        '--server[give the command a local credential endpoint that renews the credentials, instead of keys]'
        '--port=[with --server: the loopback port to listen on (default: a free one)]:port: '
        '--ensure=[make sure the session lasts at least this long (e.g. 2h, up to 36h) before starting, asking for a code now if it does not: with --server the MFA session the credentials are renewed from, else the keys themselves (a role reached through the MFA session: at most 1h)]:ensure: '
      )
      args=('1:profile:__mfa-login_profiles' '*:: :__mfa-login_exec_command')
      ;;
    serve)
      opts=(
        '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead]:mfa token: '
        '--duration=[length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)]:duration: '
        '--region=[the region to use, over the profile'\''s own]:region: '
        '--session-tags=[tag the role session: key1=value1,key2=value2, instead of the profile'\''s session_tags]:session tags: '
        '--transitive-session-tags=[keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags]:transitive session tags: '
        '*--policy-arn=[narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns]:policy arn: '
        '--policy=[narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)]:policy: '
        '--port=[the loopback port to listen on (default: a free one)]:port: '
        '--shell=[the shell to print the variables for (default: detected)]:shell:(sh bash zsh fish powershell pwsh nu nushell)'
        '--ensure=[make sure the session lasts at least this long (e.g. 2h, up to 36h) before starting, asking for a code now if it does not: the MFA session the served credentials are renewed from]:ensure: '
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    setup)
      opts=(
        '--name=[the profile to write (default: PROFILE-mfa)]:name: '
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    completion)
      opts=(
      )
      args=('1:shell:(bash zsh fish nu nushell)')
      ;;
    console)
      opts=(
        '--print[print the sign-in URL instead of opening a browser]'
        '(--path)--service=[the console page of this service, e.g. s3, ec2, iam]:service: '
        '(--service)--path=[the console page at this path, e.g. /s3/buckets]:path: '
        '--duration=[length of the console session, 15m to 12h (only for roles not reached by role chaining)]:duration: '
        '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process]:mfa token: '
        '--region=[the console region, over the profile'\''s own]:region: '
        '--session-tags=[tag the role session: key1=value1,key2=value2, instead of the profile'\''s session_tags]:session tags: '
        '--transitive-session-tags=[keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags]:transitive session tags: '
        '*--policy-arn=[narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns]:policy arn: '
        '--policy=[narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)]:policy: '
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    shell-init)
      opts=(
      )
      args=('1:shell:(bash zsh fish powershell pwsh nu nushell)')
      ;;
    profiles|doctor)
      opts=(
      )
      args=()
      ;;
    policy)
      opts=(
        '--account=[the 12-digit account id to fill in]:account: '
        '--partition=[the partition to fill in]:partition:(aws aws-us-gov aws-cn)'
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    demo)
      opts=(
        '(-y --yes)'{-y,--yes}'[accept the shown code instead of typing it]'
      )
      args=()
      ;;
    agent)
      opts=(
      )
      args=('1:action:(status stop)')
      ;;
    mfa)
      opts=(
        '--name=[create: the device'\''s name (default: the IAM user'\''s name)]:name: '
      )
      args=('1:action:(create resync)' '2:profile:__mfa-login_profiles')
      ;;
    rotate)
      opts=(
        '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead]:mfa token: '
        '--duration=[length of the MFA session when a new one is needed, 30m to 36h (seconds, or 12h, 90m)]:duration: '
        '--region=[the region to use, over the profile'\''s own]:region: '
      )
      args=('1:profile:__mfa-login_profiles')
      ;;
    *) return 1 ;;
  esac
}

# mfa-env's, the same way.
__mfa-env_specs() {
  global_opts=(
    '--debug[say what is done and why; show stack traces]'
    '(- *)'{-h,--help}'[show help]'
    '(- *)--version[show version number]'
  )
  opts=(
    '--shell=[the shell to print for (default: detected)]:shell:(sh bash zsh fish powershell pwsh nu nushell)'
    '--unset[print what clears the variables instead]'
    '--mfa-token=[the 6-digit code, instead of a prompt or mfa_process; other local users can read it in ps, so scripts should set MFA_LOGIN_MFA_TOKEN instead]:mfa token: '
    '--duration=[length of the MFA session when a new one is needed, 30m to 36h]:duration: '
    '--region=[the region to export, over the profile'\''s own]:region: '
    '--session-tags=[tag the role session: key1=value1,key2=value2, instead of the profile'\''s session_tags]:session tags: '
    '--transitive-session-tags=[keys of those tags that later role hops inherit: key1,key2, instead of transitive_session_tags]:transitive session tags: '
    '*--policy-arn=[narrow the role session to what this managed policy allows; once per policy, at most 10, instead of policy_arns]:policy arn: '
    '--policy=[narrow the role session to what the JSON session policy in this file allows (at most 2048 characters)]:policy: '
  )
  args=('1:profile:__mfa-login_profiles')
}
# <<< made from the command table

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

  local -a global_opts opts args exec_opts

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
    __mfa-env_specs
    _arguments -S : $opts $global_opts $args && ret=0
    return ret
  fi

  # `mfa-login PROFILE`: login's flags
  __mfa-login_specs ''
  _arguments -C : $global_opts $opts \
    '(-)1: :->first' \
    '(-)*:: :->args' && ret=0

  case $state in
    first)
      _alternative 'commands:command:__mfa-login_commands' 'profiles:profile:__mfa-login_profiles' && ret=0
      ;;
    args)
      curcontext=${curcontext%:*:*}:mfa-login-$words[1]:
      if ! __mfa-login_specs $words[1]; then
        # `mfa-login PROFILE ...`: login's flags, and no more positionals
        __mfa-login_specs ''
        args=()
      fi
      exec_opts=($global_opts $opts)
      _arguments -S : $global_opts $opts $args && ret=0
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
