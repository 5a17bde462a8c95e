package io.evmore.devnet.ibc;

/** One end of an ICS-20 transfer channel (unordered, port "transfer"). */
public record Channel(String chainId, String channelId, String connectionId,
                      String counterpartyChainId, String counterpartyChannelId) {
    public static final String PORT = "transfer";
}
