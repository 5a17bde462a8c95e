package io.evmore.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.IbcCounterLock;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tracing wrappers delegate every method of the chain ports, default methods included: a default the wrapper did not
 * override would run the port's default body instead of the adapter's own (e.g. a claim without its fee bid). A method
 * added to a port fails this test until the wrapper delegates it.
 */
class TracedChainsTest {

    @Test
    void everyMethodOfHtlcChainIsDelegated() {
        assertThat(missing(HtlcChain.class, TracedChains.Chain.class)).isEmpty();
    }

    @Test
    void everyMethodOfIbcCounterLockIsDelegated() {
        assertThat(missing(IbcCounterLock.class, TracedChains.Route.class)).isEmpty();
    }

    private static List<String> missing(Class<?> port, Class<?> wrapper) {
        return Arrays.stream(port.getMethods()).filter(m -> !Modifier.isStatic(m.getModifiers())).filter(m -> {
            try {
                Method w = wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
                return w.getDeclaringClass() != wrapper;
            } catch (NoSuchMethodException e) {
                return true;
            }
        }).map(Method::toString).toList();
    }
}
