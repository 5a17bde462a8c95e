package io.evmore.devnet.ethereum;

/** Runs a HardhatNode in a separate JVM for {@link HardhatNodeIT}, which kills this JVM with SIGKILL. */
public final class HardhatNodeChild {
    private HardhatNodeChild() {}

    public static void main(String[] args) throws Exception {
        HardhatNode node = HardhatNode.start();
        System.out.println("PORT " + node.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
