package io.evmore.app.swap;

/** Bad input to a swap command: one line naming the option and what is wrong; nothing was sent to a chain. */
public final class SwapInputException extends RuntimeException {
    public SwapInputException(String message) {
        super(message);
    }
}
