package io.evmore.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.config.ConfigException;

/** What the admin API can do; implemented by the wired application, so the HTTP layer stays thin. */
public interface AdminOperations {
    Object poolsStatus();

    Object poolsDrain();

    Object poolsRefresh();

    Object pause();

    Object resume();

    Object servicesStatus();

    /** The effective configuration, secrets redacted. */
    JsonNode config();

    /**
     * Re-reads and validates the config file; applies reloadable changes atomically.
     *
     * @throws ConfigException when the file is invalid (nothing changes)
     */
    Object reloadConfig();

    Object pendingSwaps(int limit);

    /** One swap (any state) by its hashlock, with its audit trail; null when there is none. */
    Object swap(String hashlockHex);
}
