# nushell completion for mfa-login and mfa-env: their commands, flags and profile names.
#
# Install (nushell sources files, not a command's output):
#   mfa-login completion nu | save -f ($nu.default-config-dir | path join mfa-login-completion.nu)
# then add this line to config.nu:
#   source ($nu.default-config-dir | path join mfa-login-completion.nu)
#
# Profile names come from `mfa-login __profiles` (~/.aws/config and ~/.aws/credentials).
# These are `extern` signatures: they describe the commands for completion and help, and nushell
# still passes any other argument through.

# Profile names, from the mfa-login on PATH (none when it is not there). Empty stdin: a completion
# never waits on a prompt. nushell puts a completion on the line as it is, and runs `x(...)` in a
# bare word: a name that is not plain goes in double quotes (`to nuon`), where nothing is expanded.
def "nu-complete mfa-login profiles" [] {
    try { '' | ^mfa-login __profiles | complete | get stdout | lines | where {|p| $p != '' } | each {|p| if ($p =~ '^[A-Za-z0-9_.@+=,:/-]{1,128}$') { $p } else { $p | to nuon } } } catch { [] }
}

# `mfa-login <Tab>`: the commands, and the profiles (`mfa-login PROFILE` is `mfa-login login PROFILE`).
def "nu-complete mfa-login command-or-profile" [] {
    [login add remove list logout credential-process session exec serve setup completion console shell-init profiles status doctor policy demo agent mfa rotate] | append (nu-complete mfa-login profiles)
}

def "nu-complete mfa-login shells" [] { [sh bash zsh fish powershell pwsh nu nushell] }
def "nu-complete mfa-login completion-shells" [] { [bash zsh fish nu nushell] }
def "nu-complete mfa-login init-shells" [] { [bash zsh fish powershell pwsh nu nushell] }
def "nu-complete mfa-login partitions" [] { [aws aws-us-gov aws-cn] }
def "nu-complete mfa-login agent-actions" [] { [status stop] }
def "nu-complete mfa-login mfa-actions" [] { [create resync] }

# MFA-protected AWS credentials: `mfa-login PROFILE` logs in, or run a command.
export extern "mfa-login" [
    profile?: string@"nu-complete mfa-login command-or-profile"
    --to: string@"nu-complete mfa-login profiles"   # write to this profile name in the credentials file
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# get an MFA session and write it to ~/.aws/credentials
export extern "mfa-login login" [
    profile?: string@"nu-complete mfa-login profiles"
    --to: string@"nu-complete mfa-login profiles"   # write to this profile name in the credentials file
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# store an IAM user's long-term keys in the keychain
export extern "mfa-login add" [
    profile: string@"nu-complete mfa-login profiles"
    --from-env                                      # take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment
    --import                                        # move the keys in ~/.aws/credentials into the keychain
    --mfa-serial: string                            # the MFA device ARN to record, instead of finding it
    --yes(-y)                                       # record the MFA device found without asking
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# delete a profile's keys from the keychain and forget its sessions
export extern "mfa-login remove" [
    profile: string@"nu-complete mfa-login profiles"
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# profiles with stored keys
export extern "mfa-login list" [
    --json                                          # print JSON
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# forget the cached sessions of a profile, or all with --all
export extern "mfa-login logout" [
    profile?: string@"nu-complete mfa-login profiles"
    --all                                           # forget every cached session
    --keep-files                                    # keep the sessions mfa-login wrote to ~/.aws/credentials
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# print credentials as the JSON that credential_process in ~/.aws/config expects
export extern "mfa-login credential-process" [
    profile: string@"nu-complete mfa-login profiles"
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# start or check a profile's session without printing credentials
export extern "mfa-login session" [
    profile?: string@"nu-complete mfa-login profiles"
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# run a command with the profile's credentials in its environment
export extern "mfa-login exec" [
    profile: string@"nu-complete mfa-login profiles"
    ...command: string                              # the command and its arguments (after --)
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --allow-nested                                  # allow exec inside another mfa-login exec
    --server                                        # give the command a local credential endpoint instead of keys
    --port: string                                  # the loopback port to listen on (default: a free one)
    --ensure: string                                # make sure the session lasts this long before starting (e.g. 2h)
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# serve a profile's credentials on a local endpoint until stopped
export extern "mfa-login serve" [
    profile?: string@"nu-complete mfa-login profiles"
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --port: string                                  # the loopback port to listen on (default: a free one)
    --shell: string@"nu-complete mfa-login shells"  # the shell to print the variables for
    --ensure: string                                # make sure the MFA session lasts this long before serving (e.g. 2h)
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# add a credential_process profile to ~/.aws/config that calls mfa-login
export extern "mfa-login setup" [
    profile: string@"nu-complete mfa-login profiles"
    --name: string                                  # the profile to write (default: PROFILE-mfa)
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# print the completion script for bash, zsh, fish or nu
export extern "mfa-login completion" [
    shell: string@"nu-complete mfa-login completion-shells"
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# open the AWS console in your browser, signed in as a role profile
export extern "mfa-login console" [
    profile?: string@"nu-complete mfa-login profiles"
    --print                                         # print the sign-in URL instead of opening a browser
    --service: string                               # the console page of this service, e.g. s3
    --path: string                                  # the console page at this path, e.g. /s3/buckets
    --duration: string                              # length of the console session
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --region: string                                # the region to use, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# print shell functions: mfa-use PROFILE switches the current shell, mfa_prompt shows it
export extern "mfa-login shell-init" [
    shell: string@"nu-complete mfa-login init-shells"
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# print the profile names, one a line
export extern "mfa-login profiles" [
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# profiles, where their keys live, and the time left on their sessions
export extern "mfa-login status" [
    --json                                          # print JSON
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# check the keychain, config files, clock and credential_process hooks
export extern "mfa-login doctor" [
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# print the IAM policy that makes MFA mandatory
export extern "mfa-login policy" [
    profile?: string@"nu-complete mfa-login profiles"
    --account: string                               # the 12-digit account id to fill in
    --partition: string@"nu-complete mfa-login partitions" # the partition to fill in
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# the whole flow against a local STS (no AWS account needed)
export extern "mfa-login demo" [
    --yes(-y)                                       # accept the shown code instead of typing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# the session agent: status or stop
export extern "mfa-login agent" [
    action: string@"nu-complete mfa-login agent-actions"
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# set up a virtual MFA device (create), or resync a drifted one
export extern "mfa-login mfa" [
    action: string@"nu-complete mfa-login mfa-actions"
    profile: string@"nu-complete mfa-login profiles"
    --name: string                                  # create: the device's name (default: the IAM user's name)
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# replace the IAM user's access key, and delete the old one
export extern "mfa-login rotate" [
    profile: string@"nu-complete mfa-login profiles"
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the session: seconds, or 12h, 90m
    --region: string                                # the region to use, over the profile's own
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]

# print the variables that put a profile's credentials into a shell: mfa-env prod | from json | load-env
export extern "mfa-env" [
    profile?: string@"nu-complete mfa-login profiles"
    --shell: string@"nu-complete mfa-login shells"  # the shell to print for (default: detected)
    --unset                                         # print what clears the variables instead
    --mfa-token: string                             # the 6-digit code, instead of a prompt or mfa_process
    --duration: string                              # length of the MFA session when a new one is needed
    --region: string                                # the region to export, over the profile's own
    --session-tags: string                          # tag the role session: key1=value1,key2=value2
    --transitive-session-tags: string               # keys of those tags later role hops inherit
    --policy-arn: string                            # a managed policy narrowing the role session (repeatable)
    --policy: path                                  # a file with a JSON session policy narrowing it
    --debug                                         # say what is done and why; show stack traces
    --help(-h)                                      # show help
    --version                                       # show version number
]
