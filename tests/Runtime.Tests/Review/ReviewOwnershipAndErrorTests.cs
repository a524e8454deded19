using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>Review of G4 (ownership), G5 (clear errors) and G6 (the detached stream's fast path).</summary>
public sealed class ReviewOwnershipAndErrorTests
{
    [Fact]
    public async Task Using_scope_around_a_TLS_detach_leaves_the_connection_usable_after_the_scope()
    {
        using Loopback lb = await Loopback.CreateAsync();
        var (localTls, remoteTls) = await ReviewHelpers.TlsAsync(lb);
        Stream raw;
        using (HandoffWebSocket ws = Peers.Handoff(localTls, isServer: true, TimeSpan.FromMilliseconds(1)))
        {
            await remoteTls.WriteAsync(Frames.Build(Frames.Text, "switch"u8, masked: true));
            await Peers.ReceiveMessageAsync(ws);
            raw = await ws.DetachAsync().Within();
            ws.Abort();
        }

        await using (raw)
        {
            await Task.Delay(20); // keep-alive would have fired many times
            await remoteTls.WriteAsync("to server"u8.ToArray());
            Assert.Equal("to server"u8.ToArray(), await Bounded.ReadExactlyAsync(raw, 9));
            byte[] back = "to client"u8.ToArray();
            await raw.WriteAsync(back);
            await raw.FlushAsync();
            // Pongs the keep-alive wrote before the handoff point may still be unread: skip those whole frames (a server's
            // pong is 8A and a length, unmasked). After them the first byte the client sees is ours, not a pong.
            byte first = (await Bounded.ReadExactlyAsync(remoteTls, 1))[0];
            while (first == 0x8A)
            {
                int length = (await Bounded.ReadExactlyAsync(remoteTls, 1))[0] & 0x7F;
                if (length > 0)
                {
                    await Bounded.ReadExactlyAsync(remoteTls, length);
                }

                first = (await Bounded.ReadExactlyAsync(remoteTls, 1))[0];
            }

            Assert.Equal(back[0], first);
            Assert.Equal(back.AsSpan(1).ToArray(), await Bounded.ReadExactlyAsync(remoteTls, back.Length - 1));
        }
    }

    [Fact]
    public async Task Detach_inside_a_large_message_with_1_byte_reads_throws_then_a_later_detach_returns_the_rest()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false);
        byte[] message = Frames.RandomBytes(70_000);
        byte[] raw = Frames.RandomBytes(100);
        Task write = lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Binary, message), raw)).AsTask();
        var one = new byte[1];
        ValueWebSocketReceiveResult r = await ws.ReceiveAsync(one.AsMemory(), Bounded.Token());
        Assert.Equal(message[0], one[0]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.DetachAsync().AsTask());
        Assert.Contains("EndOfMessage", error.Message);
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
        var (_, rest) = await Peers.ReceiveMessageAsync(ws, chunk: 4999);
        Assert.Equal(message, Frames.Concat(one, rest));
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
        await write;
    }

    [Fact]
    public async Task Operations_after_detach_throw_InvalidOperationException_pointing_to_the_detached_stream()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: false, TimeSpan.FromMilliseconds(1));
        await using Stream detached = ws.Detach();
        var e1 = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAsync(new byte[1].AsMemory(), WebSocketMessageType.Binary, WebSocketMessageFlags.EndOfMessage).AsTask());
        var e2 = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.ReceiveAsync(new byte[1].AsMemory(), default).AsTask());
        var e3 = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default));
        var e4 = await Assert.ThrowsAsync<InvalidOperationException>(() => ws.SendAndDetachAsync(default, WebSocketMessageType.Binary).AsTask());
        foreach (var e in new[] { e1, e2, e3, e4 })
        {
            Assert.Contains("detach", e.Message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(ws.IsDetached);
        Assert.Equal(WebSocketState.Closed, ws.State);
        await Assert.ThrowsAsync<ArgumentException>(() => ws.SendAndDetachAsync(default, WebSocketMessageType.Close).AsTask());
    }

    [Fact]
    public async Task Pre_cancelled_DetachAsync_changes_nothing_and_the_socket_keeps_working()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(1));
        using WebSocket peer = Peers.Bcl(lb.RemoteStream, isServer: false);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.DetachAsync(new CancellationToken(true)).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.SendAndDetachAsync("x"u8.ToArray(), WebSocketMessageType.Text, new CancellationToken(true)).AsTask());
        Assert.False(ws.IsDetached);
        Assert.Equal(WebSocketState.Open, ws.State);

        await peer.SendAsync("q"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        Assert.Equal("q", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
        await ws.SendAsync("a"u8.ToArray(), WebSocketMessageType.Text, true, Bounded.Token());
        Assert.Equal("a", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(peer)).Payload));
        Task<(WebSocketMessageType, byte[])> last = Peers.ReceiveMessageAsync(peer);
        await using Stream raw = await ws.SendAndDetachAsync("done"u8.ToArray(), WebSocketMessageType.Text).Within();
        Assert.Equal("done", Encoding.UTF8.GetString((await last.Within()).Item2));
    }

    [Theory]
    [InlineData("ReadAsyncMemory")]
    [InlineData("ReadArray")]
    [InlineData("ReadSpan")]
    [InlineData("ReadByte")]
    [InlineData("CopyToAsync")]
    [InlineData("OneByteReads")]
    public async Task Detached_stream_read_APIs_return_residual_then_transport_bytes_intact(string api)
    {
        await Task.Run(async () =>
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
            byte[] raw = Frames.RandomBytes(api is "ReadByte" or "OneByteReads" ? 20_000 : 3 * 1024 * 1024);
            // Part of the raw bytes are coalesced with the final frame (residual), the rest come later (transport).
            await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "go"u8, masked: true), raw.AsSpan(0, 1000).ToArray()));
            await Peers.ReceiveMessageAsync(ws);
            await Task.Delay(10);
            Stream detached = await ws.DetachAsync().Within();
            Task writer = Task.Run(async () =>
            {
                await lb.RemoteStream.WriteAsync(raw.AsMemory(1000));
                lb.Remote.Shutdown(SocketShutdown.Send);
            });
            using var got = new MemoryStream();
            switch (api)
            {
                case "ReadAsyncMemory":
                    {
                        var b = new byte[7919];
                        int n;
                        while ((n = await detached.ReadAsync(b.AsMemory(), Bounded.Token())) > 0)
                        {
                            got.Write(b, 0, n);
                        }

                        break;
                    }

                case "ReadArray":
                    {
                        var b = new byte[65536];
                        int n;
                        while ((n = detached.Read(b, 13, b.Length - 13)) > 0)
                        {
                            got.Write(b, 13, n);
                        }

                        break;
                    }

                case "ReadSpan":
                    {
                        var b = new byte[4001];
                        int n;
                        while ((n = detached.Read(b.AsSpan())) > 0)
                        {
                            got.Write(b, 0, n);
                        }

                        break;
                    }

                case "ReadByte":
                    {
                        int c;
                        while ((c = detached.ReadByte()) >= 0)
                        {
                            got.WriteByte((byte)c);
                        }

                        break;
                    }

                case "CopyToAsync":
                    await detached.CopyToAsync(got, Bounded.Token());
                    break;

                case "OneByteReads":
                    {
                        var b = new byte[1];
                        while (await detached.ReadAsync(b, 0, 1, Bounded.Token()) == 1)
                        {
                            got.WriteByte(b[0]);
                        }

                        break;
                    }
            }

            await writer;
            Assert.Equal(SHA256.HashData(raw), SHA256.HashData(got.ToArray()));
            Assert.Equal(raw.Length, got.Length);
            detached.Dispose();
        }).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Detached_stream_carries_large_transfers_both_ways_at_once_hash_checked()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket a = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(1));
        using HandoffWebSocket b = Peers.Handoff(lb.RemoteStream, isServer: false);
        Task<Stream> bRawTask = b.SendAndDetachAsync("switch"u8.ToArray(), WebSocketMessageType.Binary).AsTask();
        await Peers.ReceiveMessageAsync(a);
        await using Stream aRaw = await a.DetachAsync().Within();
        await using Stream bRaw = await bRawTask.Within();
        // b must skip a's keep-alive pongs written before a's handoff point: read them with a silent WebSocket? No: a
        // wrote no data frame, so a leading run of pongs is all there can be; the first raw byte is 0x00.
        byte[] fromA = Frames.RandomBytes(16 * 1024 * 1024);
        byte[] fromB = Frames.RandomBytes(16 * 1024 * 1024);
        fromA[0] = 0;
        Task sendA = Task.Run(async () => { await aRaw.WriteAsync(fromA); lb.Local.Shutdown(SocketShutdown.Send); });
        Task sendB = Task.Run(async () => { await bRaw.WriteAsync(fromB); lb.Remote.Shutdown(SocketShutdown.Send); });
        Task<byte[]> readA = Bounded.ReadToEndAsync(aRaw);
        Task<byte[]> readB = Bounded.ReadToEndAsync(bRaw);
        await Task.WhenAll(sendA, sendB, readA, readB).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(SHA256.HashData(fromB), SHA256.HashData(await readA));
        Assert.Equal(SHA256.HashData(fromA), SHA256.HashData(Peers.SkipLeadingKeepAlive(await readB)));
    }

    [Fact]
    public async Task Cancelled_read_on_the_detached_stream_while_the_residual_read_is_in_flight_loses_nothing()
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true);
        Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[10].AsMemory(), Bounded.Token()).AsTask();
        await Task.Delay(20);
        await using Stream detached = await ws.DetachAsync().Within();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Within());
        using (var cts = new CancellationTokenSource(50))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => detached.ReadAsync(new byte[10].AsMemory(), cts.Token).AsTask().Within());
        }

        byte[] raw = Frames.RandomBytes(5000);
        await lb.RemoteStream.WriteAsync(raw);
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dispose_or_Abort_before_detach_with_a_pending_receive_closes_the_transport_as_the_BCL_does(bool abort)
    {
        using Loopback lb = await Loopback.CreateAsync();
        HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer: true, TimeSpan.FromMilliseconds(1));
        Task<ValueWebSocketReceiveResult> pending = ws.ReceiveAsync(new byte[10].AsMemory(), Bounded.Token()).AsTask();
        await Task.Delay(10);
        if (abort)
        {
            ws.Abort();
        }
        else
        {
            ws.Dispose();
        }

        await Assert.ThrowsAnyAsync<Exception>(() => pending.Within());
        Assert.Empty(Peers.SkipLeadingKeepAlive(await Bounded.ReadToEndAsync(lb.RemoteStream)));
        Assert.Throws<InvalidOperationException>(() => ws.Detach());
    }
}
