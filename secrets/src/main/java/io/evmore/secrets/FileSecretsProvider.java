package io.evmore.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Provider {@code file}: one file per name in a folder ({@code DIR/ethereum-private-key}, …), refused when group or
 * others may read it.
 */
public final class FileSecretsProvider implements SecretsProvider {
    private final Path dir;

    public FileSecretsProvider(Path dir) {
        this.dir = dir;
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public String describe() {
        return "file (" + dir + ")";
    }

    @Override
    public String where(SecretName name) {
        return "file " + dir.resolve(name.id());
    }

    @Override
    public Optional<Fetched> fetch(SecretName name) {
        Path file = dir.resolve(name.id());
        if (!Files.exists(file)) return Optional.empty();
        try {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                    throw new SecretsException(describe(), name, SecretsException.Kind.CONFIG,
                            "secret file " + file + " is readable by others; chmod 600 it");
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing to check
            }
            String v = Files.readString(file);
            if (v.isBlank()) return Optional.empty();
            return Optional.of(new Fetched(name, SecretValue.of(v), "file " + file));
        } catch (IOException e) {
            throw new SecretsException(describe(), name, SecretsException.Kind.CONFIG,
                    "cannot read secret file " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
