using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using WebSocketHandoff.Tests.Review;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>Transports other than a bare socket: TLS with a read in flight at the detach, a buffering stream (G1, G2, G3).</summary>
public sealed class BlackBoxTransportTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TLS_read_in_flight_at_the_detach_then_a_large_record_of_raw_bytes_loses_nothing(bool isServer)
    {
        // The pending receive's transport read is an SslStream read; the raw bytes then come as TLS records far larger
        // than the helper's read buffer, so part of the first record stays inside the SslStream.
        using Loopback lb = await Loopback.CreateAsync();
        var (serverTls, clientTls) = await ReviewHelpers.TlsAsync(lb);
        Stream localTls = isServer ? serverTls : clientTls;
        Stream remoteTls = isServer ? clientTls : serverTls;
        using HandoffWebSocket ws = Peers.Handoff(localTls, isServer, TimeSpan.FromMilliseconds(1));
        await remoteTls.WriteAsync(Frames.Build(Frames.Binary, "last"u8, masked: isServer));
        Assert.Equal("last"u8.ToArray(), (await Peers.ReceiveMessageAsync(ws)).Payload);
        Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[64].AsMemory(), Bounded.Token()).AsTask();
        await Task.Delay(20);
        await using Stream detached = await ws.DetachAsync().Within();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());

        byte[] raw = Frames.RandomBytes(300_000);
        Task write = remoteTls.WriteAsync(raw).AsTask();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await write.Within();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Write_buffering_transport_with_keep_alive_every_millisecond_SendAndDetachAsync_then_raw_bytes_both_ways(bool isServer)
    {
        // A buffering transport holds written frames until flushed: the final frame must be flushed whole before the raw
        // bytes, and keep-alive frames buffered before the handoff point must not come after it.
        using Loopback lb = await Loopback.CreateAsync();
        var buffered = new WriteBufferingStream(lb.LocalStream);
        using HandoffWebSocket ws = Peers.Handoff(buffered, isServer, TimeSpan.FromMilliseconds(1));
        byte[] incoming = Frames.Concat(Frames.Build(Frames.Text, "hello"u8, masked: isServer), Frames.RandomBytes(5000));
        await lb.RemoteStream.WriteAsync(incoming);
        Assert.Equal("hello"u8.ToArray(), (await Peers.ReceiveMessageAsync(ws)).Payload);
        await Task.Delay(10);
        byte[] final = Frames.RandomBytes(100_000);
        Stream detached = await ws.SendAndDetachAsync(final, WebSocketMessageType.Binary).Within();
        Assert.Equal(incoming.AsSpan(incoming.Length - 5000).ToArray(), await Bounded.ReadExactlyAsync(detached, 5000));
        await Task.Delay(10);
        byte[] raw = Frames.Concat(new byte[] { 0x00 }, Frames.RandomBytes(3000));
        await detached.WriteAsync(raw);
        await detached.FlushAsync();
        lb.Local.Shutdown(SocketShutdown.Send);

        var (frames, rest) = Wire.Split(await Bounded.ReadToEndAsync(lb.RemoteStream), 0x8A, 0x82);
        Assert.Equal(raw, rest);
        Assert.Equal(final, frames[^1].Payload);
        Assert.All(frames.GetRange(0, frames.Count - 1), f => Assert.Equal(Frames.Pong, f.Opcode));
        await detached.DisposeAsync();
    }

    /// <summary>Holds written bytes until Flush (as a TLS or compression layer may); reads pass through.</summary>
    private sealed class WriteBufferingStream : DelegatingStream
    {
        private readonly MemoryStream _pending = new();
        private readonly System.Threading.SemaphoreSlim _lock = new(1, 1);

        public WriteBufferingStream(Stream inner)
            : base(inner)
        {
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, System.Threading.CancellationToken cancellationToken = default)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                _pending.Write(buffer.Span);
            }
            finally
            {
                _lock.Release();
            }
        }

        public override async Task FlushAsync(System.Threading.CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken);
            try
            {
                byte[] bytes = _pending.ToArray();
                _pending.SetLength(0);
                await Inner.WriteAsync(bytes, cancellationToken);
            }
            finally
            {
                _lock.Release();
            }
        }

        public override void Flush() => FlushAsync(default).GetAwaiter().GetResult();
    }
}
