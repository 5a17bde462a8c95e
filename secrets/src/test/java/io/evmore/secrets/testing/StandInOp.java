package io.evmore.secrets.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A stand-in for 1Password's {@code op} CLI (none can be installed here), put first on a test's PATH. It answers
 * {@code op read [--no-newline|-n] op://<vault>/<item>/[<section>/]<field>} from files {@code DIR/vaults/<vault>/<item>/[<section>/]<field>}, and only
 * when OP_SERVICE_ACCOUNT_TOKEN equals the expected token, failing otherwise the way the real CLI does: exit 1 and an
 * {@code [ERROR] <date> <time> <message>} line on stderr. Every call's arguments, and whether the token it saw was the
 * expected one (never the token), are appended to {@code DIR/calls}.
 */
public final class StandInOp {
    public final Path dir;
    public final Path bin;

    private StandInOp(Path dir) {
        this.dir = dir;
        this.bin = dir.resolve("bin");
    }

    public static StandInOp install(Path dir, String expectedToken) throws IOException {
        StandInOp op = new StandInOp(dir);
        Files.createDirectories(op.bin);
        Files.createDirectories(dir.resolve("vaults"));
        Files.writeString(dir.resolve("expected-token"), expectedToken);
        Path script = op.bin.resolve("op");
        Files.writeString(script, SCRIPT.replace("@DIR@", dir.toAbsolutePath().toString()));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return op;
    }

    /** Puts a field of an item into a vault. */
    public void put(String vault, String item, String field, String value) throws IOException {
        Path f = dir.resolve("vaults").resolve(vault).resolve(item).resolve(field);
        Files.createDirectories(f.getParent());
        Files.writeString(f, value);
    }

    public void remove(String vault, String item) throws IOException {
        Path d = dir.resolve("vaults").resolve(vault).resolve(item);
        if (Files.isDirectory(d)) {
            try (var s = Files.list(d)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(d);
        }
    }

    /** Makes every call fail as throttled (true) or answer normally (false). */
    public void throttle(boolean on) throws IOException {
        Path f = dir.resolve("throttle");
        if (on) Files.writeString(f, "on");
        else Files.deleteIfExists(f);
    }

    public List<String> calls() throws IOException {
        Path f = dir.resolve("calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    /** PATH with the stand-in first. */
    public String path() {
        return bin.toAbsolutePath() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    }

    private static final String SCRIPT = """
            #!/usr/bin/env bash
            # Stand-in for 1Password's op CLI, for tests only (see StandInOp.java).
            dir='@DIR@'
            err() { echo "[ERROR] $(date -u '+%Y/%m/%d %H:%M:%S') $*" >&2; exit 1; }
            expected=$(cat "$dir/expected-token")
            if [ -z "${OP_SERVICE_ACCOUNT_TOKEN:-}" ]; then tok=missing; elif [ "$OP_SERVICE_ACCOUNT_TOKEN" = "$expected" ]; then tok=ok; else tok=wrong; fi
            echo "args=$* token=$tok" >>"$dir/calls"
            [ "${1:-}" = "read" ] || err "unknown command \\"${1:-}\\" for \\"op\\""
            shift
            newline=true
            ref=""
            while [ $# -gt 0 ]; do
              case "$1" in
                -n|--no-newline) newline=false ;;
                op://*) [ -z "$ref" ] || err "accepts 1 arg(s), received 2"; ref=$1 ;;
                *) err "unknown flag: $1" ;;
              esac
              shift
            done
            [ -n "$ref" ] || err "accepts 1 arg(s), received 0"
            case "$tok" in
              missing) err "You are not currently signed in. Please run \\`op signin --help\\` for instructions" ;;
              wrong) err "failed to session.ResolveServiceAccount: Validation: (failed to session.DecodeSACredentials), invalid service account token" ;;
            esac
            [ -f "$dir/throttle" ] && err "could not read secret '$ref': Too many requests. Try again later."
            path=${ref#op://}
            # op://<vault>/<item>/[<section>/]<field>
            IFS=/ read -r vault item field extra more <<<"$path"
            if [ -z "$vault" ] || [ -z "$item" ] || [ -z "$field" ] || [ -n "$more" ]; then
              err "could not read secret '$ref': invalid secret reference '$ref': expected op://<vault>/<item>/[<section>/]<field>"
            fi
            [ -n "$extra" ] && field="$field/$extra"
            [ -d "$dir/vaults/$vault" ] || err "could not read secret '$ref': \\"$vault\\" isn't a vault in this account. Specify the vault with its ID or name."
            [ -d "$dir/vaults/$vault/$item" ] || err "could not read secret '$ref': could not get item $vault/$item: \\"$item\\" isn't an item in the \\"$vault\\" vault. Specify the item with its UUID, name, or domain."
            [ -f "$dir/vaults/$vault/$item/$field" ] || err "could not read secret '$ref': \\"$field\\" isn't a field in the \\"$item\\" item"
            cat "$dir/vaults/$vault/$item/$field"
            $newline && echo
            exit 0
            """;
}
