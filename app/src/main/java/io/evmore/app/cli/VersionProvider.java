package io.evmore.app.cli;

import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = EvmoreCli.class.getPackage().getImplementationVersion();
        return new String[] {"evmore " + (v == null ? "development build" : v) + " (Java " + Runtime.version() + ")"};
    }
}
