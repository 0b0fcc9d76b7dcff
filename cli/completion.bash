# bash completion for fivetrex(1).
# Installed as share/bash-completion/completions/fivetrex; or: source cli/completion.bash

# Generated verbs (users, teams, system-keys, ... and the extra verbs of groups,
# connectors, destinations and webhooks): ask the binary, 'fivetrex __complete WORDS...'
# prints the words that may follow, or a verb's options once WORDS name a whole verb.
# Every option of a generated verb takes a value.
_fivetrex_generated() {
    local bin=$1 cur=$2
    shift 2
    local i w skip=0 pos=()
    for ((i = 1; i < ${#words[@]} - 1 && i < cword; i++)); do
        w="${words[i]}"
        if ((skip)); then
            skip=0
            continue
        fi
        case "$w" in
        --*=* | -v | --verbose | -y | --yes | --dry-run | --no-color | --version | -h | --help) ;;
        -*) skip=1 ;;
        *) pos+=("$w") ;;
        esac
    done
    local next
    next=$("$bin" __complete "${pos[@]}" 2>/dev/null)
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$next $globals" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(grep -v '^-' <<<"$next")" -- "$cur"))
    fi
}

_fivetrex() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        COMPREPLY=()
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD - 1]}"
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local globals="--api-key --api-secret-file --base-url --ca-file --profile -q --jq -o --output --limit --page --timeout
        --retries --retry-delay -v --verbose -y --yes --dry-run --no-color --version -h --help"

    # Values of options.
    case "$prev" in
    -o | --output)
        COMPREPLY=($(compgen -W "table wide json" -- "$cur"))
        return
        ;;
    --api-secret-file | --ca-file | --secret-file | --data | -d)
        if [[ $prev == --data || $prev == -d ]] && [[ $cur == @* ]]; then
            COMPREPLY=($(compgen -f -- "${cur#@}" | sed 's/^/@/'))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return
        ;;
    --secret-env)
        COMPREPLY=($(compgen -e -- "$cur"))
        return
        ;;
    --schedule-type)
        COMPREPLY=($(compgen -W "auto manual" -- "$cur"))
        return
        ;;
    --sync-frequency)
        COMPREPLY=($(compgen -W "1 5 15 30 60 120 180 360 480 720 1440" -- "$cur"))
        return
        ;;
    --sync-mode)
        COMPREPLY=($(compgen -W "SOFT_DELETE HISTORY LIVE" -- "$cur"))
        return
        ;;
    --change-handling)
        COMPREPLY=($(compgen -W "ALLOW_ALL ALLOW_COLUMNS BLOCK_ALL" -- "$cur"))
        return
        ;;
    --exclude-mode)
        COMPREPLY=($(compgen -W "PRESERVE EXCLUDE" -- "$cur"))
        return
        ;;
    --paused | --active | --hashed)
        COMPREPLY=($(compgen -W "true false" -- "$cur"))
        return
        ;;
    --events | -e | --event)
        COMPREPLY=($(compgen -W "sync_start sync_end connection_successful connection_failure
            create_connector pause_connector resume_connector edit_connector delete_connector
            force_update_connector resync_connector resync_table dbt_run_start
            dbt_run_succeeded dbt_run_failed" -- "$cur"))
        return
        ;;
    --profile)
        local cfg="${XDG_CONFIG_HOME:-$HOME/.config}/fivetrex/config"
        [[ -r $cfg ]] && COMPREPLY=($(compgen -W "$(sed -n 's/^\[\(.*\)\]$/\1/p' "$cfg")" -- "$cur"))
        return
        ;;
    --api-key | --base-url | -q | --jq | --limit | --page | --timeout | --retries | --retry-delay | --name | --group | -g | \
        --service | -s | --schema | --table | --column | --config | -c | --url | --port | -p | \
        --bind | --path | --count | -n | --connector | --signature | --poll-interval | \
        --deadline | --time-zone-offset | --region | --daily-sync-time | --redirect-uri | \
        -f | --raw-field | -F | --field)
        return
        ;;
    -H | --header)
        COMPREPLY=($(compgen -W "'Accept: application/json' 'Accept: application/json;version=2'" -- "$cur"))
        return
        ;;
    esac

    # Positional words (resource, verb, sub-verb), skipping options and their values.
    local i w resource="" verb="" sub="" skip=0
    for ((i = 1; i < cword; i++)); do
        w="${words[i]}"
        if ((skip)); then
            skip=0
            continue
        fi
        case "$w" in
        --*=*) ;;
        -o | --output | -q | --jq | --api-key | --api-secret-file | --base-url | --ca-file | --profile | --limit | --page | \
            --timeout | --retries | --retry-delay | --name | --group | -g | --service | -s | --schema | \
            --table | --column | --config | -c | --url | --events | -e | --event | --port | -p | \
            --bind | --path | --count | -n | --connector | --signature | --poll-interval | \
            --deadline | --time-zone-offset | --region | --daily-sync-time | --redirect-uri | \
            --data | -d | --secret-env | --secret-file | --schedule-type | --sync-frequency | \
            --sync-mode | --change-handling | --exclude-mode | --paused | --active | --hashed | \
            -f | --raw-field | -F | --field | -H | --header)
            skip=1
            ;;
        -*) ;;
        *)
            if [[ -z $resource ]]; then
                resource=$w
            elif [[ -z $verb ]]; then
                verb=$w
            elif [[ -z $sub ]]; then
                sub=$w
            fi
            ;;
        esac
    done

    local opts=""
    if [[ -z $resource ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$globals" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "groups connectors destinations webhooks api config auth help
                $("${words[0]}" __complete 2>/dev/null)" -- "$cur"))
        fi
        return
    fi
    local hand_verbs
    case "$resource" in
    groups) hand_verbs="list get create update delete connectors" ;;
    connectors)
        hand_verbs="list get create update delete sync resync pause resume state status
            frequency schema columns test connect-card logs"
        ;;
    destinations) hand_verbs="list get create update delete test" ;;
    webhooks) hand_verbs="list get create update delete test listen sign verify" ;;
    config | auth | api | help) hand_verbs="-" ;;
    *)
        _fivetrex_generated "${words[0]}" "$cur"
        return
        ;;
    esac
    if [[ -n $verb && $hand_verbs != - && " $(echo $hand_verbs) " != *" $verb "* ]]; then
        _fivetrex_generated "${words[0]}" "$cur"
        return
    fi
    if [[ -z $verb ]]; then
        case "$resource" in
        groups) opts="list get create update delete connectors" ;;
        connectors)
            opts="list get create update delete sync resync pause resume state status
                frequency schema columns test connect-card logs"
            ;;
        destinations) opts="list get create update delete test" ;;
        webhooks) opts="list get create update delete test listen sign verify" ;;
        config) opts="list get set" ;;
        auth) opts="status" ;;
        api)
            opts="GET POST PATCH DELETE --data -f --raw-field -F --field -H --header --v2
                --create --paginate --dry-run"
            ;;
        esac
        [[ $hand_verbs != - ]] && opts="$opts $("${words[0]}" __complete "$resource" 2>/dev/null)"
        [[ $cur == -* ]] && opts="$globals"
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    if [[ $resource == connectors && $verb == schema && -z $sub ]]; then
        COMPREPLY=($(compgen -W "show update reload" -- "$cur"))
        return
    fi

    case "$resource $verb $sub" in
    "groups create "* | "groups update "*) opts="--name --data" ;;
    "connectors list "*) opts="--group" ;;
    "connectors create "* | "connectors update "*)
        opts="--group --service --schema --table --config --paused --sync-frequency
            --schedule-type --daily-sync-time --no-setup-tests --data"
        ;;
    "connectors sync "*) opts="--force --wait --poll-interval --deadline" ;;
    "connectors resync "*) opts="--yes --confirm --table" ;;
    "connectors frequency "*) opts="--schedule-type --daily-sync-time" ;;
    "connectors schema show") opts="--schema" ;;
    "connectors schema update")
        opts="--schema --table --column --enable --disable --sync-mode --hashed
            --change-handling --data"
        ;;
    "connectors schema reload") opts="--exclude-mode" ;;
    "connectors test "* | "destinations test "*) opts="--trust-certificates --trust-fingerprints" ;;
    "connectors connect-card "*) opts="--redirect-uri --hide-setup-guide" ;;
    "connectors logs "*)
        if [[ $prev == --query ]]; then
            COMPREPLY=($(compgen -W "recent_syncs failed_syncs sync_duration schema_changes" -- "$cur"))
            return
        fi
        if [[ $prev == --parse ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
            return
        fi
        opts="--query --schema --list-queries --parse"
        ;;
    "destinations create "* | "destinations update "*)
        opts="--group --service --time-zone-offset --region --config --no-setup-tests --data"
        ;;
    "webhooks create "*)
        opts="--url --events --group --inactive --active --secret-env --secret-file --data"
        ;;
    "webhooks update "*) opts="--url --events --active --secret-env --secret-file --data" ;;
    "webhooks test "*) opts="--event" ;;
    "webhooks listen "*)
        opts="--port --bind --path --secret-env --secret-file --events --connector --count"
        ;;
    "webhooks sign "*) opts="--secret-env --secret-file" ;;
    "webhooks verify "*) opts="--signature --secret-env --secret-file" ;;
    "config get "* | "config set "*)
        [[ $cur != -* ]] && COMPREPLY=($(compgen -W "base_url api_key output secret_command" -- "$cur"))
        ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
    fi
}
complete -F _fivetrex fivetrex
