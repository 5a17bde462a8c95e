package io.evmore.cosmos.ibc;

import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.proto.ibc.core.channel.v1.Channel;
import io.evmore.proto.ibc.core.channel.v1.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a configured route against the chains at its ends: a wrong channel id sends funds somewhere else (or
 * nowhere), so the relayer asks before it uses the route. What can be asked from the two chains the relayer talks
 * to: on the home chain, the first hop's channel exists, is OPEN and its counterparty is the configured
 * {@code counterpartyChannel}; on the final chain, the last hop's {@code counterpartyChannel} exists, is OPEN and
 * its counterparty is the last hop's {@code channel}. (Middle chains are not queried: the relayer has no RPC
 * there.)
 */
public final class IbcRouteCheck {
    private IbcRouteCheck() {}

    /** Every problem found, each a sentence naming the chain, the channel and what was expected and found; empty = fine. */
    public static List<String> check(IbcRoute route, CosmosQueries home, CosmosQueries fin) {
        List<String> problems = new ArrayList<>();
        IbcRoute.Hop first = route.hops().getFirst();
        end(problems, home, route.homeChainId(), first.port(), first.channel(), first.counterpartyChannel(),
                "the first hop to " + first.chainId());
        IbcRoute.Hop last = route.hops().getLast();
        String lastSender = route.hops().size() == 1 ? route.homeChainId()
                : route.hops().get(route.hops().size() - 2).chainId();
        end(problems, fin, route.finalChainId(), last.port(), last.counterpartyChannel(), last.channel(),
                "the last hop from " + lastSender);
        return problems;
    }

    private static void end(List<String> problems, CosmosQueries q, String chain, String port, String channel,
            String expectedCounterparty, String role) {
        Optional<Channel> found = q.channel(port, channel);
        if (found.isEmpty()) {
            problems.add("On " + chain + ", channel " + port + "/" + channel + " (" + role + ") does not exist.");
            return;
        }
        Channel c = found.get();
        if (c.getState() != State.STATE_OPEN) {
            problems.add("On " + chain + ", channel " + port + "/" + channel + " (" + role + ") is "
                    + c.getState().name() + ", expected STATE_OPEN.");
        }
        String cpChannel = c.getCounterparty().getChannelId();
        String cpPort = c.getCounterparty().getPortId();
        if (!cpChannel.equals(expectedCounterparty)) {
            problems.add("On " + chain + ", channel " + port + "/" + channel + " (" + role + ") has counterparty "
                    + "channel " + (cpChannel.isEmpty() ? "(none)" : cpChannel) + ", but the route expects "
                    + expectedCounterparty + ".");
        }
        if (!cpPort.equals(port)) {
            problems.add("On " + chain + ", channel " + port + "/" + channel + " (" + role + ") has counterparty "
                    + "port " + (cpPort.isEmpty() ? "(none)" : cpPort) + ", but the route expects " + port + ".");
        }
    }
}
