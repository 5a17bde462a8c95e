package io.evmore.devnet.wasm;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

/** Finds the Java HTLC contract by class name so the devnet compiles before (and independently of) it. */
public final class WasmContracts {
    public static final String HTLC_CLASS = "io.evmore.devnet.wasm.htlc.HtlcContract";

    private WasmContracts() {}

    public static Optional<WasmContract> htlc() {
        try {
            Class<?> c = Class.forName(HTLC_CLASS);
            return Optional.of((WasmContract) c.getDeclaredConstructor().newInstance());
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        } catch (InstantiationException | IllegalAccessException | NoSuchMethodException | InvocationTargetException e) {
            throw new IllegalStateException("cannot instantiate " + HTLC_CLASS, e);
        }
    }
}
