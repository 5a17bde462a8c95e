package io.evmore.devnet.chain;

/** An ABCI query answer: code 0 with a protobuf value, or an error code and log. */
public record QueryResult(int code, String log, byte[] value, long height, String codespace) {
    public static QueryResult ok(byte[] value, long height) {
        return new QueryResult(0, "", value, height, "");
    }

    public static QueryResult error(SdkException e, long height) {
        return new QueryResult(e.code(), e.log(), null, height, e.codespace());
    }
}
