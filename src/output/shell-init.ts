/**
 * `mfa-login shell-init SHELL`: functions for the user's rc file.
 *
 * - `mfa-use PROFILE [flags]` runs mfa-env with --shell and evaluates what it prints, so the
 *   credentials land in the current shell with no eval typed; `mfa-use --off` takes them out.
 * - its profile names complete from `mfa-login profiles`;
 * - `mfa_prompt` prints `[PROFILE 42m] ` while a profile is in use: the minutes are computed by
 *   the shell from AWS_CREDENTIAL_EXPIRATION, so a prompt starts no program.
 *
 * mfa-login is called by absolute path (this Node, this installation), like `setup` writes it,
 * so the functions work whatever PATH the shell has.
 */
export type InitShell = 'bash' | 'zsh' | 'fish' | 'powershell' | 'nu';

export interface Installation {
  node: string;
  mfaLogin: string;
  mfaEnv: string;
}

const USAGE = 'usage: mfa-use PROFILE [--region REGION] [--mfa-token CODE] | mfa-use --off';

/** One word for sh, bash, zsh and fish. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A profile name a shell may be handed back bare (forms.ts isPlainProfileName, as a regular
 * expression in single quotes, read alike by nushell and PowerShell). Any other name goes on the
 * command line quoted: nushell runs `x(...)` in a bare word, and PowerShell `$(...)`.
 */
const PLAIN_PATTERN = `'^[A-Za-z0-9_.@+=,:/-]{1,128}$'`;

/** nushell: `$p` bare when plain, else double-quoted by `to nuon` (nushell expands nothing in "..."). */
const NU_WORD = `if ($p =~ ${PLAIN_PATTERN}) { $p } else { $p | to nuon }`;

function psq(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
}

export function formatShellInit(shell: InitShell, at: Installation): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return posix(shell, at);
    case 'fish':
      return fish(at);
    case 'powershell':
      return powershell(at);
    case 'nu':
      return nu(at);
  }
}

/**
 * Days from 1970-01-01 to a civil date (H. Hinnant's days_from_civil), in shell arithmetic:
 * parsing the RFC 3339 expiration this way needs no `date` process.
 */
function posix(shell: 'bash' | 'zsh', at: Installation): string {
  const env = `${sq(at.node)} ${sq(at.mfaEnv)}`;
  const login = `${sq(at.node)} ${sq(at.mfaLogin)}`;
  // bash 5 has EPOCHSECONDS, bash 4.2 printf's %(...)T; only older ones need date.
  const now =
    shell === 'bash'
      ? `now=\${EPOCHSECONDS-}; [ -n "$now" ] || printf -v now '%(%s)T' -1 2>/dev/null || now=$(date +%s)`
      : `zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null; now=$EPOCHSECONDS`;
  const completion =
    shell === 'bash'
      ? `__mfa_use_complete() {
    COMPREPLY=()
    ((COMP_CWORD == 1)) || return 0
    local cur=\${COMP_WORDS[COMP_CWORD]} p
    [[ -n $cur && --off == "$cur"* ]] && COMPREPLY+=(--off)
    while IFS= read -r p; do
        [[ -n $p && $p == "$cur"* ]] && COMPREPLY+=("$p")
    done < <(${login} profiles 2>/dev/null </dev/null)
    return 0
}
complete -F __mfa_use_complete mfa-use`
      : `__mfa_use_complete() {
    (( CURRENT == 2 )) || return 1
    local -a profiles
    profiles=(\${(f)"$(${login} profiles 2>/dev/null </dev/null)"})
    compadd -a profiles
    compadd -- --off
}
# Completion needs compinit: put the shell-init line after it in ~/.zshrc. An "if", not "&&":
# without compinit the script still ends with status 0, and a "&&" after the eval goes on.
if (( $+functions[compdef] )); then
    compdef __mfa_use_complete mfa-use
fi`;
  return `# mfa-login shell-init ${shell}: put this in ~/.${shell}rc:
#   eval "$(mfa-login shell-init ${shell})"
# mfa-use PROFILE     the profile's credentials into this shell (mfa-use --off takes them out)
# mfa_prompt          prints "[PROFILE 42m] " while they are in, e.g.
#   ${shell === 'bash' ? `PS1='$(mfa_prompt)'"$PS1"` : `setopt prompt_subst; PS1='$(mfa_prompt)'"$PS1"`}
mfa-use() {
    case $1 in
        '' | -h | --help)
            printf '%s\\n' ${sq(USAGE)} >&2
            # Asked for help: 0; no profile: a usage error, 2 as for mfa-login's own.
            [ -n "$1" ] || return 2
            return 0
            ;;
        --off)
            eval "$(${env} --shell sh --unset)" || return
            unset __mfa_use_profile
            return 0
            ;;
        -*)
            printf 'mfa-use: the profile comes first\\n%s\\n' ${sq(USAGE)} >&2
            return 2
            ;;
    esac
    local __mfa_use_out
    __mfa_use_out=$(${env} --shell sh "$@") || return
    eval "$__mfa_use_out" || return
    __mfa_use_profile=$1
}

mfa_prompt() {
    [ -n "\${__mfa_use_profile-}" ] && [ -n "\${AWS_CREDENTIAL_EXPIRATION-}" ] || return 0
    local e=$AWS_CREDENTIAL_EXPIRATION now y mo d doy doe expires left
    case $e in
        [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*) ;;
        *) return 0 ;;
    esac
    ${now}
    y=$((10#\${e:0:4})) mo=$((10#\${e:5:2})) d=$((10#\${e:8:2}))
    if ((mo <= 2)); then y=$((y - 1)); fi
    doy=$(( (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1 ))
    doe=$(( (y % 400) * 365 + (y % 400) / 4 - (y % 400) / 100 + doy ))
    expires=$(( ((y / 400) * 146097 + doe - 719468) * 86400 + 10#\${e:11:2} * 3600 + 10#\${e:14:2} * 60 + 10#\${e:17:2} ))
    left=$(( (expires - now) / 60 ))
    if ((expires <= now)); then
        printf '[%s expired] ' "$__mfa_use_profile"
    else
        printf '[%s %sm] ' "$__mfa_use_profile" "$left"
    fi
}

${completion}
`;
}

function fish(at: Installation): string {
  const env = `${sq(at.node)} ${sq(at.mfaEnv)}`;
  const login = `${sq(at.node)} ${sq(at.mfaLogin)}`;
  return `# mfa-login shell-init fish: put this in ~/.config/fish/config.fish:
#   mfa-login shell-init fish | source
# mfa-use PROFILE     the profile's credentials into this shell (mfa-use --off takes them out)
# mfa_prompt          prints "[PROFILE 42m] " while they are in, e.g.
#   function fish_right_prompt; mfa_prompt; end
function mfa-use --description "put a profile's AWS credentials into this shell"
    switch "$argv[1]"
        case '' -h --help
            printf '%s\\n' ${sq(USAGE)} >&2
            test -n "$argv[1]"; or return 2
            return 0
        case --off
            set -l out (${env} --shell fish --unset); or return
            string join \\n -- $out | source; or return
            set -e -g __mfa_use_profile
            return 0
        case '-*'
            printf 'mfa-use: the profile comes first\\n%s\\n' ${sq(USAGE)} >&2
            return 2
    end
    set -l out (${env} --shell fish $argv); or return
    string join \\n -- $out | source; or return
    set -g __mfa_use_profile $argv[1]
    # fish has no clock of its own: one reading of date here, then /proc/uptime (a file read,
    # no process) tells mfa_prompt how much time has passed.
    set -g __mfa_use_clock (date +%s)
    if test -r /proc/uptime; and read -l up _rest </proc/uptime
        set -a __mfa_use_clock $up
    end
end

function mfa_prompt --description 'the profile in use and its minutes left'
    set -q __mfa_use_profile; and set -q AWS_CREDENTIAL_EXPIRATION; or return 0
    set -l p (string match -r '^(\\d{4})-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d):(\\d\\d)' -- $AWS_CREDENTIAL_EXPIRATION); or return 0
    set -l now
    if set -q __mfa_use_clock[2]; and read -l up _rest </proc/uptime 2>/dev/null
        set now (math "floor($__mfa_use_clock[1] + $up - $__mfa_use_clock[2])")
    else
        set now (date +%s)
    end
    set -l y (math $p[2])
    set -l mo (math $p[3])
    set -l mp (math $mo + 9)
    if test $mo -le 2
        set y (math $y - 1)
    else
        set mp (math $mo - 3)
    end
    set -l era (math "floor($y / 400)")
    set -l yoe (math "$y - $era * 400")
    set -l doy (math "floor((153 * $mp + 2) / 5) + $p[4] - 1")
    set -l doe (math "$yoe * 365 + floor($yoe / 4) - floor($yoe / 100) + $doy")
    set -l expires (math "($era * 146097 + $doe - 719468) * 86400 + $p[5] * 3600 + $p[6] * 60 + $p[7]")
    if test $expires -le $now
        printf '[%s expired] ' $__mfa_use_profile
    else
        printf '[%s %sm] ' $__mfa_use_profile (math "floor(($expires - $now) / 60)")
    end
end

complete -c mfa-use -e
complete -c mfa-use -f -n 'test (count (commandline -opc)) -eq 1' -a '(${login.replace(/[\\']/g, (c) => `\\${c}`)} profiles 2>/dev/null </dev/null)' -d profile
complete -c mfa-use -f -n 'test (count (commandline -opc)) -eq 1' -a --off -d 'take the credentials out'
`;
}

function powershell(at: Installation): string {
  const env = `& ${psq(at.node)} ${psq(at.mfaEnv)}`;
  const login = `& ${psq(at.node)} ${psq(at.mfaLogin)}`;
  return `# mfa-login shell-init powershell: put this in $PROFILE:
#   mfa-login shell-init powershell | Out-String | Invoke-Expression
# mfa-use PROFILE     the profile's credentials into this session (mfa-use --off takes them out)
# mfa_prompt          returns "[PROFILE 42m] " while they are in, e.g.
#   function prompt { "$(mfa_prompt)PS $($executionContext.SessionState.Path.CurrentLocation)> " }
function mfa-use {
    if ($args.Count -eq 0 -or $args[0] -in @('-h', '--help')) {
        [Console]::Error.WriteLine(${psq(USAGE)})
        return
    }
    if ($args[0] -eq '--off') {
        $out = ${env} --shell powershell --unset
        if ($LASTEXITCODE -ne 0) { return }
        $out | Out-String | Invoke-Expression
        Remove-Variable -Name MfaUseProfile -Scope Global -ErrorAction SilentlyContinue
        return
    }
    $out = ${env} --shell powershell @args
    if ($LASTEXITCODE -ne 0) { return }
    $out | Out-String | Invoke-Expression
    $global:MfaUseProfile = [string]$args[0]
}

function mfa_prompt {
    if (-not $global:MfaUseProfile -or -not $env:AWS_CREDENTIAL_EXPIRATION) { return '' }
    $expires = [DateTimeOffset]::Parse($env:AWS_CREDENTIAL_EXPIRATION, [Globalization.CultureInfo]::InvariantCulture)
    $left = [Math]::Floor(($expires - [DateTimeOffset]::UtcNow).TotalMinutes)
    if ($left -lt 0) { return "[$($global:MfaUseProfile) expired] " }
    return "[$($global:MfaUseProfile) $($left)m] "
}

Register-ArgumentCompleter -Native -CommandName mfa-use -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    @(${login} profiles 2>$null) + '--off' | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        # A name that is not plain goes on the line in single quotes: PowerShell expands nothing in them.
        $text = if ($_ -cmatch ${PLAIN_PATTERN}) { $_ } else { "'" + ($_ -replace '[''\\u2018\\u2019\\u201A\\u201B]', '$0$0') + "'" }
        [System.Management.Automation.CompletionResult]::new($text, $_, 'ParameterValue', $_)
    }
}
`;
}

/**
 * nushell: a double-quoted string, where only `\` and `"` need escaping; a control character
 * (which no sane path holds) is written as nushell's `\u{..}`, since a raw one would end the line.
 */
function nuq(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)}"`;
}

/**
 * nushell evaluates no text and cannot source a command's output: the user saves this file once
 * and sources it from config.nu. mfa-env's record (output/exports.ts, nuRecord) is loaded with
 * its nulls hidden, so a variable taken out is gone from $env, not left as nothing.
 * There is no shell variable outside a command's scope: the profile in use is kept in
 * $env.__MFA_USE_PROFILE.
 */
function nu(at: Installation): string {
  const env = `^${nuq(at.node)} ${nuq(at.mfaEnv)}`;
  const login = `^${nuq(at.node)} ${nuq(at.mfaLogin)}`;
  return `# mfa-login shell-init nu: nushell cannot source a command's output, so save it to a file once
# (and again after moving mfa-login or its Node):
#   mfa-login shell-init nu | save -f ($nu.default-config-dir | path join mfa-login.nu)
# and add this line to config.nu:
#   source ($nu.default-config-dir | path join mfa-login.nu)
# mfa-use PROFILE     the profile's credentials into this shell (mfa-use --off takes them out)
# mfa_prompt          returns "[PROFILE 42m] " while they are in, e.g.
#   $env.PROMPT_COMMAND_RIGHT = {|| mfa_prompt }

# Profile names (and --off) for mfa-use.
def __mfa_use_complete [] {
    # Empty stdin: a completion never waits on a prompt; stderr is not shown under the command line.
    '' | ${login} profiles | complete | get stdout | lines | where {|p| $p != '' } | each {|p| ${NU_WORD} } | append '--off'
}

# Loads a record from mfa-env: a null value takes the variable out.
def --env __mfa_use_load [changes: record] {
    let gone = ($changes | transpose name value | where value == null | get name)
    hide-env -i ...$gone
    $changes | reject ...$gone | load-env
}

# Puts a profile's AWS credentials into this shell; mfa-use --off takes them out.
# ${USAGE}
def --env --wrapped mfa-use [profile?: string@__mfa_use_complete, ...rest: string] {
    if $profile in [null, '-h', '--help'] {
        print -e ${nuq(USAGE)}
        if $profile == null { error make -u {msg: 'mfa-use: which profile? e.g. mfa-use prod'} }
        return
    }
    if $profile == '--off' {
        # Through __mfa_use_load, not hide-env here: hide-env inside an \`if\` hides only in its block.
        __mfa_use_load (${env} --shell nu --unset | from json | insert __MFA_USE_PROFILE null)
        return
    }
    if ($profile | str starts-with '-') {
        print -e ${nuq(USAGE)}
        error make -u {msg: 'mfa-use: the profile comes first'}
    }
    # A failing mfa-env (its message on stderr) stops here with its exit status, changing nothing.
    let changes = (${env} --shell nu $profile ...$rest | from json)
    __mfa_use_load $changes
    $env.__MFA_USE_PROFILE = $profile
}

# "[PROFILE 42m] " while mfa-use's credentials are in, else nothing; starts no program.
def mfa_prompt [] {
    let profile = ($env.__MFA_USE_PROFILE? | default '')
    let expiration = ($env.AWS_CREDENTIAL_EXPIRATION? | default '')
    if $profile == '' or $expiration == '' { return '' }
    let expires = (try { $expiration | into datetime } catch { return '' })
    let left = $expires - (date now)
    if $left <= 0sec { return $"[($profile) expired] " }
    $"[($profile) ($left / 1min | math floor)m] "
}
`;
}
