package io.evmore.devnet.ibc;

/** An IBC packet (channel/v1 Packet) between two devnet chains. {@code data} is the ICS-20 JSON. */
public record Packet(long sequence, String sourcePort, String sourceChannel, String destPort, String destChannel,
                     byte[] data, long timeoutRevision, long timeoutHeight, long timeoutTimestampNanos) {
    public String timeoutHeightString() {
        return timeoutRevision + "-" + timeoutHeight;
    }

    public String dataString() {
        return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }
}
