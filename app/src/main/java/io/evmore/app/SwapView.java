package io.evmore.app;

import io.evmore.core.engine.RelayEngine;
import io.evmore.core.swap.Swap;
import java.time.Instant;
import java.util.Map;

/**
 * Swap as JSON: amounts as decimal strings (uint256 does not fit a JSON number), hashlock as hex; its age, last
 * error and the next deadline that matters; for a multi-hop swap the counter-lock transfer's packet
 * ({@code <home chain>:<channel>/<sequence>}). Never the secret.
 */
public record SwapView(String id, String state, long ageSeconds, String lastError, Object nextDeadline, Object atRisk, String fromChain,
        String toChain, String sourceHtlcId, String destHtlcId, String hashlock, String sender, String receiver,
        String sourceAsset, String sourceAmount, String destAsset, String destAmount, String feeAmount, long sourceTimelock,
        long destTimelock, long sourceHeight, String sourceTxHash, String counterPacket, Instant createdAt, Instant updatedAt) {
    static SwapView of(Swap s, Instant now, RelayEngine engine) {
        Object deadline = engine == null ? null : engine.deadline(s).map(d -> Map.of("what", d.what(), "at", d.at(),
                "inSeconds", d.at() - now.getEpochSecond())).orElse(null);
        Object risk = engine == null ? null : engine.atRisk(s.id()).map(a -> Map.of("kind", a.kind(), "reason", a.reason(),
                "secondsLeft", a.secondsLeft(), "since", a.since())).orElse(null);
        return new SwapView(s.id(), s.state().name(), Math.max(0, now.getEpochSecond() - s.createdAt().getEpochSecond()),
                s.lastError(), deadline, risk, s.fromChain().value(), s.toChain().value(), s.sourceHtlcId(), s.destHtlcId(),
                s.hashlock().hex(), s.sender(), s.receiver(), s.sourceAsset(), s.sourceAmount().toString(), s.destAsset(),
                s.destAmount() == null ? null : s.destAmount().toString(), s.feeAmount() == null ? null : s.feeAmount().toString(),
                s.sourceTimelock(), s.destTimelock(), s.sourceHeight(), s.sourceTxHash(),
                s.counterPacket() == null ? null : s.counterPacket().text(), s.createdAt(), s.updatedAt());
    }
}
