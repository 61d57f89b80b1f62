package dev.lanes.server.http;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/** Helidon's connection context with the framer's canonical bytes as the data to read. */
final class FramedContext implements ConnectionContext {
    private final ConnectionContext socketContext;
    private final DataReader framedReader;
    private final DataWriter writer;
    private final RequestFramer framer;

    FramedContext(ConnectionContext socketContext, RequestFramer framer, DataWriter writer) {
        this.socketContext = socketContext;
        this.framer = framer;
        this.writer = writer;
        this.framedReader = new RenewingDataReader(framer);
    }

    RequestFramer framer() {
        return framer;
    }

    @Override
    public DataReader dataReader() {
        return framedReader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return socketContext.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return socketContext.executor();
    }

    @Override
    public Router router() {
        return socketContext.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return socketContext.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return socketContext.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return socketContext.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return socketContext.localPeer();
    }

    @Override
    public boolean isSecure() {
        return socketContext.isSecure();
    }

    @Override
    public String socketId() {
        return socketContext.socketId();
    }

    @Override
    public String childSocketId() {
        return socketContext.childSocketId();
    }
}
