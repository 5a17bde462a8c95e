package io.evmore.ethereum;

import io.evmore.pool.Endpoint;
import io.reactivex.disposables.Disposable;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.websocket.WebSocketService;

/**
 * An {@link EthereumEventFollower}'s {@code newHeads} subscription on one of its websocket endpoints: every new head
 * wakes the following loop at once (which polls regardless). A subscription that ends wakes one poll and is made again
 * on its own thread after {@link #RESUBSCRIBE_MIN}, the delay doubling up to {@link #RESUBSCRIBE_MAX} while no ws
 * endpoint can be reached.
 */
final class NewHeadsPush {
    private static final Logger log = LoggerFactory.getLogger(EthereumEventFollower.class);
    /** First delay before subscribing to new heads again after a subscription ended; doubles up to the maximum. */
    static final Duration RESUBSCRIBE_MIN = Duration.ofSeconds(1);
    static final Duration RESUBSCRIBE_MAX = Duration.ofSeconds(30);
    /** A websocket that does not open, or a subscription the node does not confirm, within this is given up. */
    static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);

    private final EthereumSettings settings;
    /** Released on every new head and when a subscription ends: the following loop waits on it. */
    private final Semaphore wake;
    private volatile boolean running;
    private volatile Thread pushThread;
    private final Object pushLock = new Object();
    private final Semaphore pushEnded = new Semaphore(0);
    private volatile Disposable subscription;
    private volatile WebSocketService pushService;
    private volatile org.web3j.protocol.websocket.WebSocketClient pushClient;

    NewHeadsPush(EthereumSettings settings, Semaphore wake) {
        this.settings = settings;
        this.wake = wake;
    }

    /** Starts keeping a subscription if any endpoint is a websocket; otherwise the follower only polls. */
    void start() {
        if (settings.endpoints().stream().anyMatch(Endpoint::isWebSocket)) {
            running = true;
            pushThread = Thread.ofVirtual().name("newheads-" + settings.chain()).start(this::keepSubscribedToHeads);
        }
    }

    /** Stops the subscription's thread and drops the subscription. */
    void close() {
        running = false;
        EthereumEventFollower.stopAndJoin(pushThread);
        dropPush();
    }

    /**
     * Whether new-heads push is active: a ws endpoint's connection is open and the node confirmed the
     * {@code newHeads} subscription (it has given it an id).
     */
    boolean active() {
        Disposable s = subscription;
        WebSocketService ws = pushService;
        var client = pushClient;
        return s != null && !s.isDisposed() && ws != null && client != null && client.isOpen()
                && !ws.getSubscriptionIdsMap().isEmpty();
    }

    /**
     * Keeps a {@code newHeads} subscription on one of the ws endpoints for as long as the follower runs. When it
     * ends (connection closed or lost, subscription refused or never confirmed) the following loop is woken to poll
     * at once (heads may have been missed), and the subscription is made again after {@link #RESUBSCRIBE_MIN},
     * doubling up to {@link #RESUBSCRIBE_MAX} while the endpoints stay unreachable. Runs on its own thread, so a
     * slow or hanging websocket never holds up following, which polls regardless.
     */
    private void keepSubscribedToHeads() {
        Duration delay = RESUBSCRIBE_MIN;
        while (running) {
            if (subscribeToHeads()) {
                boolean confirmed = awaitSubscriptionEnd();
                dropPush();
                if (!running) break;
                wake.release(); // poll now: what came while push was going down is not lost
                if (confirmed) delay = RESUBSCRIBE_MIN; // it worked; come back quickly
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                break;
            }
            delay = delay.multipliedBy(2).compareTo(RESUBSCRIBE_MAX) > 0 ? RESUBSCRIBE_MAX : delay.multipliedBy(2);
        }
        dropPush();
    }

    /**
     * Waits until the current subscription ends or is not confirmed by the node within {@link #SUBSCRIBE_TIMEOUT};
     * returns whether the node had confirmed it.
     */
    private boolean awaitSubscriptionEnd() {
        long deadline = System.nanoTime() + SUBSCRIBE_TIMEOUT.toNanos();
        boolean confirmed = false;
        while (running) {
            try {
                if (pushEnded.tryAcquire(250, TimeUnit.MILLISECONDS)) return confirmed;
            } catch (InterruptedException e) {
                return confirmed;
            }
            Disposable s = subscription;
            var client = pushClient;
            if (s == null || s.isDisposed() || client == null || !client.isOpen()) {
                log.warn("{} follower: newHeads websocket closed; polling until it is back", settings.chain());
                return confirmed;
            }
            if (!confirmed) {
                if (active()) {
                    confirmed = true;
                    log.info("{} follower: new heads subscription confirmed", settings.chain());
                } else if (System.nanoTime() - deadline > 0) {
                    log.warn("{} follower: newHeads subscription not confirmed within {} s; trying again",
                            settings.chain(), SUBSCRIBE_TIMEOUT.toSeconds());
                    return false;
                }
            }
        }
        return confirmed;
    }

    /** Subscribes on the first ws endpoint that accepts; false if none did. */
    private boolean subscribeToHeads() {
        pushEnded.drainPermits();
        for (Endpoint e : settings.endpoints()) {
            if (!e.isWebSocket() || !running) continue;
            org.web3j.protocol.websocket.WebSocketClient client = null;
            WebSocketService ws = null;
            try {
                client = new org.web3j.protocol.websocket.WebSocketClient(URI.create(e.url())) {
                    @Override
                    public boolean connectBlocking() throws InterruptedException {
                        // web3j waits for the handshake without a limit; an endpoint that accepts and never
                        // answers would hold this thread forever
                        return connectBlocking(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                };
                ws = new WebSocketService(client, false);
                ws.connect();
                Web3j w = Web3j.build(ws);
                synchronized (pushLock) {
                    if (!running) {
                        ws.close();
                        return false;
                    }
                    pushClient = client;
                    pushService = ws;
                    subscription = w.newHeadsNotifications().subscribe(n -> wake.release(), err -> {
                        log.warn("{} follower: newHeads subscription on '{}' ended ({}); polling only until it is back",
                                settings.chain(), e.name(), e.redact(String.valueOf(err.getMessage())));
                        pushEnded.release();
                    }, pushEnded::release);
                }
                log.info("{} follower: subscribing to new heads on '{}'", settings.chain(), e.name());
                return true;
            } catch (Exception ex) {
                if (ws != null) ws.close();
                else if (client != null) client.close();
                log.warn("{} follower: cannot subscribe to new heads on '{}' ({}); polling", settings.chain(), e.name(),
                        e.redact(String.valueOf(ex.getMessage())));
            }
        }
        return false;
    }

    private void dropPush() {
        synchronized (pushLock) {
            Disposable s = subscription;
            subscription = null;
            if (s != null) s.dispose();
            WebSocketService ws = pushService;
            pushService = null;
            pushClient = null;
            if (ws != null) {
                try {
                    ws.close();
                } catch (RuntimeException e) {
                    // already broken
                }
            }
        }
    }
}
