using System;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using WebSocketHandoff;

namespace Bench;

/// <summary>
/// Attached message throughput: <see cref="HandoffWebSocket"/> against the BCL WebSocket
/// (<see cref="WebSocket.CreateFromStream(System.IO.Stream, bool, string?, TimeSpan)"/>) on the same kind of real loopback
/// TCP connection, side by side. The side under test is the client; the peer is a BCL server WebSocket on the other end,
/// sending or draining concurrently on the thread pool. Each benchmark method of a pair runs the same code; only the
/// WebSocket built in the global set-up differs. One operation is <see cref="Messages"/> messages, so Mean and
/// Allocated are per message (the peer's work and allocations, identical for both, are included).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class AttachedThroughput
{
    public const int Messages = 1000;
    private const int WarmUpRoundTrips = 8;

    // The side under test keeps the client default keep-alive (30 s: idle during a run, but the timer is armed).
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private Loopback _loopback = null!;
    private WebSocket _socket = null!;
    private WebSocket _peer = null!;
    private byte[] _message = null!;
    private byte[] _receiveBuffer = null!;
    private byte[] _peerBuffer = null!;

    [Params(16, 1024, 65536)]
    public int MessageSize { get; set; }

    [GlobalSetup(Targets = new[] { nameof(Bcl_Receive), nameof(Bcl_ReceiveArraySegment), nameof(Bcl_Send) })]
    public void SetupBcl() => Setup(stream => WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, KeepAlive));

    [GlobalSetup(Targets = new[] { nameof(Handoff_Receive), nameof(Handoff_ReceiveArraySegment), nameof(Handoff_Send) })]
    public void SetupHandoff() => Setup(stream => HandoffWebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, KeepAlive));

    /// <summary>
    /// The control for a stream layer as such (interleaved mode only): the BCL WebSocket over a stream that forwards every
    /// call to the same kind of connection. What it costs against the bare BCL WebSocket is the least any design that puts
    /// a stream under the WebSocket can cost.
    /// </summary>
    public void SetupPassThrough() => Setup(stream => WebSocket.CreateFromStream(new Overhead.PassThroughStream(stream), isServer: false, subProtocol: null, KeepAlive));

    /// <summary>
    /// Control (interleaved mode only): the BCL WebSocket over the helper's transport stream (internal, made by
    /// reflection), so the stream's share of the helper's cost shows apart from HandoffWebSocket's own.
    /// </summary>
    public void SetupHelperStream() => Setup(stream => WebSocket.CreateFromStream(
        (System.IO.Stream)Activator.CreateInstance(typeof(HandoffWebSocket).Assembly.GetType("WebSocketHandoff.FrameBoundedStream", throwOnError: true)!, stream)!,
        isServer: false, subProtocol: null, KeepAlive));

    /// <summary>Control (interleaved mode only): the BCL WebSocket inside a WebSocket that forwards every call.</summary>
    public void SetupWrapper() => Setup(stream => new ForwardingWebSocket(WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, KeepAlive)));

    private sealed class ForwardingWebSocket : WebSocket
    {
        private readonly WebSocket _inner;

        public ForwardingWebSocket(WebSocket inner) => _inner = inner;

        public override WebSocketCloseStatus? CloseStatus => _inner.CloseStatus;

        public override string? CloseStatusDescription => _inner.CloseStatusDescription;

        public override WebSocketState State => _inner.State;

        public override string? SubProtocol => _inner.SubProtocol;

        public override void Abort() => _inner.Abort();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
            => _inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
            => _inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Dispose() => _inner.Dispose();

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
            => _inner.ReceiveAsync(buffer, cancellationToken);

        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
            => _inner.ReceiveAsync(buffer, cancellationToken);

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
            => _inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
            => _inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken = default)
            => _inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);
    }

    private void Setup(Func<System.IO.Stream, WebSocket> create)
    {
        _loopback = Loopback.Open();
        _socket = create(_loopback.Client);
        _peer = WebSocket.CreateFromStream(_loopback.Server, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        _message = new byte[MessageSize];
        new Random(1).NextBytes(_message);
        _receiveBuffer = new byte[MessageSize];
        _peerBuffer = new byte[MessageSize];

        // A few round trips each way, so both ends are past their first-use allocations and the kernel has had some
        // traffic to size the socket buffers by (the interleaved mode measures a fresh connection right after this).
        for (int i = 0; i < WarmUpRoundTrips; i++)
        {
            _peer.SendAsync(_message.AsMemory(), WebSocketMessageType.Binary, true, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            ReceiveMessage(_socket, _receiveBuffer).GetAwaiter().GetResult();
            _socket.SendAsync(_message.AsMemory(), WebSocketMessageType.Binary, true, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            ReceiveMessage(_peer, _peerBuffer).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _socket.Dispose();
        _peer.Dispose();
        _loopback.Dispose();
    }

    // ---- receive through the socket under test (the read path, where the helper does its work) ----

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages), BenchmarkCategory("Receive")]
    public Task Bcl_Receive() => ReceiveMessages();

    [Benchmark(OperationsPerInvoke = Messages), BenchmarkCategory("Receive")]
    public Task Handoff_Receive() => ReceiveMessages();

    // ---- the same through the ArraySegment/Task overload, which allocates a result per call on the BCL too ----

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages), BenchmarkCategory("ReceiveArraySegment")]
    public Task Bcl_ReceiveArraySegment() => ReceiveMessagesArraySegment();

    [Benchmark(OperationsPerInvoke = Messages), BenchmarkCategory("ReceiveArraySegment")]
    public Task Handoff_ReceiveArraySegment() => ReceiveMessagesArraySegment();

    // ---- send through the socket under test ----

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages), BenchmarkCategory("Send")]
    public Task Bcl_Send() => SendMessages();

    [Benchmark(OperationsPerInvoke = Messages), BenchmarkCategory("Send")]
    public Task Handoff_Send() => SendMessages();

    private async Task ReceiveMessages()
    {
        Task peer = Task.Run(PeerSend);
        // Inlined (not a helper per message) so the benchmark's own async state machines cost one allocation per operation.
        Memory<byte> buffer = _receiveBuffer;
        for (int i = 0; i < Messages; i++)
        {
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
            }
            while (!result.EndOfMessage);
        }
        await peer.ConfigureAwait(false);
    }

    private async Task ReceiveMessagesArraySegment()
    {
        Task peer = Task.Run(PeerSend);
        var segment = new ArraySegment<byte>(_receiveBuffer);
        for (int i = 0; i < Messages; i++)
        {
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(segment, CancellationToken.None).ConfigureAwait(false);
            }
            while (!result.EndOfMessage);
        }
        await peer.ConfigureAwait(false);
    }

    private async Task SendMessages()
    {
        Task peer = Task.Run(PeerReceive);
        for (int i = 0; i < Messages; i++)
        {
            await _socket.SendAsync(_message.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        await peer.ConfigureAwait(false);
    }

    private async Task PeerSend()
    {
        for (int i = 0; i < Messages; i++)
        {
            await _peer.SendAsync(_message.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task PeerReceive()
    {
        Memory<byte> buffer = _peerBuffer;
        for (int i = 0; i < Messages; i++)
        {
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _peer.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
            }
            while (!result.EndOfMessage);
        }
    }

    private static async ValueTask ReceiveMessage(WebSocket socket, byte[] buffer)
    {
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
        }
        while (!result.EndOfMessage);
    }
}
