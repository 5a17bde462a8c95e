package io.evmore.devnet.chain;

/** An ABCI error: code, codespace and the SDK's full log text ("wrapped message: registered description"). */
public final class SdkException extends RuntimeException {
    private final int code;
    private final String codespace;

    public SdkException(int code, String codespace, String log) {
        super(log, null, false, false);
        this.code = code;
        this.codespace = codespace;
    }

    public static SdkException sdk(int code, String log) {
        return new SdkException(code, "sdk", log);
    }

    public int code() {
        return code;
    }

    public String codespace() {
        return codespace;
    }

    public String log() {
        return getMessage();
    }

    /** The same error with "prefix: " before the log, as errorsmod.Wrap does. */
    public SdkException wrap(String prefix) {
        return new SdkException(code, codespace, prefix + ": " + getMessage());
    }
}
