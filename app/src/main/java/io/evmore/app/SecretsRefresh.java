package io.evmore.app;

import io.evmore.app.config.LiveConfig;
import io.evmore.app.relay.RelayWiring;
import io.evmore.app.secrets.RelayerKeys;
import io.evmore.app.secrets.RelayerSecrets;
import io.evmore.app.secrets.ReloadRefusedException;
import io.evmore.core.engine.RelayEngine;
import io.evmore.secrets.SecretName;
import io.evmore.secrets.SecretsException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets the relayer runs with, and their refresh — on a configuration reload or periodically: what rotated at
 * the provider is applied, or the whole change is refused (see {@link #refresh}). Never holds a value in what it
 * shows or logs.
 */
final class SecretsRefresh {
    private static final Logger log = LoggerFactory.getLogger(RelayerApp.class);

    /** What a refresh needs of the running relayer. */
    interface App {
        /** The running relay wiring, or null. */
        RelayWiring relay();

        /** Swaps in flight. */
        int pendingCount();

        /** The local chains' keys (null without local chains). */
        RelayerKeys localKeys();

        /** Restarts the relay engine on {@code keys}; false if a swap appeared meanwhile (then the old keys run on). */
        boolean switchKeys(RelayerKeys keys, boolean keepPaused);
    }

    private final RelayerSecrets secrets;
    private final LiveConfig config;
    private final App app;
    /** Refreshes run one at a time, and apart from the app's other synchronized changes (its admin token). */
    private final Object monitor;
    /** What the provider gave at start or at the last applied reload/refresh (never logged). */
    private volatile RelayerSecrets.Resolved resolved;
    /** The last reload or periodic refresh, for /admin/services/status (no values). */
    private volatile Map<String, Object> lastRefresh;

    SecretsRefresh(RelayerSecrets secrets, RelayerSecrets.Resolved resolved, LiveConfig config, App app, Object monitor) {
        this.secrets = secrets;
        this.resolved = resolved;
        this.config = config;
        this.app = app;
        this.monitor = monitor;
    }

    RelayerSecrets.Resolved resolved() {
        return resolved;
    }

    /** The last reload or periodic refresh, or null. */
    Map<String, Object> lastRefresh() {
        return lastRefresh;
    }

    /**
     * Re-reads the secrets from the running provider and applies what rotated, or refuses the whole change: a provider
     * that cannot answer, a malformed value, or a signing key that changed while swaps are in flight (a swap's
     * counter-lock and claims must be signed by the key that made its quote). A rotated signing key with no swap in
     * flight restarts the relay engine on the new key (intake paused during the switch, kept paused if it was); a rotated
     * database password is used by the next start (open connections keep working). Never shows a value.
     *
     * @param apply runs between the checks and the switch (the configuration reload), and may still refuse
     */
    Map<String, Object> refresh(String trigger, Runnable apply) {
        synchronized (monitor) {
            return refreshLocked(trigger, apply);
        }
    }

    private Map<String, Object> refreshLocked(String trigger, Runnable apply) {
        RelayerSecrets.Resolved before = resolved;
        RelayerSecrets.Resolved fresh;
        try {
            fresh = secrets.resolve(config.get());
        } catch (SecretsException e) {
            throw new ReloadRefusedException(e.getMessage());
        }
        List<SecretName> rotated = fresh.rotatedSince(before);
        List<String> rotatedIds = rotated.stream().map(SecretName::id).toList();
        boolean keysRotated = rotated.contains(SecretName.ETHEREUM_PRIVATE_KEY)
                || rotated.contains(SecretName.COSMOS_MNEMONIC);
        RelayWiring r = app.relay();
        boolean wasPaused = r != null && r.engine().status().intake() == RelayEngine.Intake.PAUSED;
        if (keysRotated && r != null) {
            r.engine().pause("signing key rotation (" + trigger + ")");
            int inFlight = app.pendingCount();
            if (inFlight > 0) {
                if (!wasPaused) r.engine().resume("signing key rotation refused");
                throw new ReloadRefusedException(String.join(" and ", rotatedIds.stream()
                        .filter(n -> !n.equals("database-password")).toList()) + " changed at " + secrets.describe() + " while " + inFlight
                        + " swap(s) are in flight; the running key is kept. Pause intake (POST /admin/services/pause), wait until "
                        + "GET /admin/swaps/pending is empty, then reload again");
            }
        }
        try {
            apply.run();
        } catch (RuntimeException e) {
            if (keysRotated && r != null && !wasPaused) r.engine().resume("reload refused");
            throw e;
        }
        List<String> applied = new java.util.ArrayList<>();
        List<String> restartRequired = new java.util.ArrayList<>();
        resolved = fresh;
        if (keysRotated && r != null) {
            RelayerKeys keys = RelayerKeys.from(fresh, app.localKeys());
            if (app.switchKeys(keys, wasPaused)) {
                rotated.stream().filter(n -> n != SecretName.DATABASE_PASSWORD).forEach(n -> applied.add(n.id()));
            } else {
                resolved = before;
                throw new ReloadRefusedException(String.join(" and ", rotatedIds) + " changed at " + secrets.describe()
                        + " but a lock arrived during the switch; the running key is kept. Pause intake, wait until no swap is pending, "
                        + "then reload again");
            }
        } else if (keysRotated) {
            rotated.stream().filter(n -> n != SecretName.DATABASE_PASSWORD).forEach(n -> applied.add(n.id()));
        }
        if (rotated.contains(SecretName.DATABASE_PASSWORD)) restartRequired.add("database-password");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("provider", secrets.describe());
        out.put("trigger", trigger);
        out.put("at", Instant.now().toString());
        out.put("rotated", rotatedIds);
        out.put("applied", applied);
        out.put("restartRequired", restartRequired);
        out.put("sources", fresh.sourceView());
        lastRefresh = out;
        if (rotatedIds.isEmpty()) {
            log.info("secrets: {} from {}: nothing rotated", trigger, secrets.describe());
        } else {
            log.warn("secrets: {} from {}: rotated {}; applied {}; at next start {}", trigger, secrets.describe(), rotatedIds, applied,
                    restartRequired);
        }
        return out;
    }

    /** The periodic re-read: a refusal or failure keeps the running values, and is logged and shown. */
    void periodic() {
        try {
            refresh("periodic refresh", () -> {});
        } catch (ReloadRefusedException e) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("provider", secrets.describe());
            out.put("trigger", "periodic refresh");
            out.put("at", Instant.now().toString());
            out.put("refused", e.getMessage());
            lastRefresh = out;
            log.warn("secrets: periodic refresh refused, running values kept: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("secrets: periodic refresh failed, running values kept: {}", e.getClass().getSimpleName());
        }
    }
}
