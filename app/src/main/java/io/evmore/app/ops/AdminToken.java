package io.evmore.app.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Outside production an operator may run without ADMIN_TOKEN: the relayer then makes a random token and
 * writes it to a file only the owner can read (never to the log), where the admin CLI finds it.
 */
public final class AdminToken {
    private AdminToken() {}

    public static String generateInto(Path file) {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        String token = HexFormat.of().formatHex(b);
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, token + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the generated admin token to " + file + ": " + e.getMessage(), e);
        }
        return token;
    }

    /** Deletes a generated token file (when a configured token takes over); a missing file is fine. */
    public static void removeGenerated(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove the generated admin token " + file + " (it no longer works): " + e.getMessage(), e);
        }
    }

    public static String readFrom(Path file) throws IOException {
        return Files.readString(file).trim();
    }
}
