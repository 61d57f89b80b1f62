package dev.lanes.server.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class LingeringCloseTest {
    /**
     * The half-close reaches into Helidon's private socket fields; a Helidon upgrade that renames
     * them must fail here, not leave every closing connection without its FIN.
     */
    @Test
    void helidonsSockets_canBeHalfClosed() {
        assertTrue(LingeringClose.canHalfClose(), "PlainSocket.delegate or NioSocket.delegate is gone");
    }
}
