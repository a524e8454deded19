using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox2;

/// <summary>
/// G1 and G3 for every role, detach form and keep-alive setting at once, with keep-alive firing every millisecond: the
/// unsolicited-pong keep-alive, the ping keep-alive of <see cref="WebSocketCreationOptions.KeepAliveTimeout"/>, and
/// per-message deflate (the final message compressed). The peer is a raw socket that reads the wire frame by frame.
/// </summary>
public sealed class BlackBox2KeepAliveMatrixTests
{
    public enum Options
    {
        IntervalOnly,
        IntervalAndTimeout,
        Deflate,
    }

    public enum Mode
    {
        Detach,
        SendAndDetach,
        DetachWithReceivePending,
        SendAndDetachWithReceivePending,
        SyncDetach,
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (bool isServer in new[] { true, false })
        {
            foreach (Options options in Enum.GetValues<Options>())
            {
                foreach (Mode mode in Enum.GetValues<Mode>())
                {
                    yield return new object[] { isServer, options, mode };
                }
            }
        }
    }

    private static HandoffWebSocket Create(Stream stream, bool isServer, Options options)
        => HandoffWebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = isServer,
            KeepAliveInterval = TimeSpan.FromMilliseconds(1),
            // Long enough never to expire (the raw peer answers no ping), short enough to be on.
            KeepAliveTimeout = options == Options.IntervalAndTimeout ? TimeSpan.FromSeconds(60) : Timeout.InfiniteTimeSpan,
            DangerousDeflateOptions = options == Options.Deflate ? new WebSocketDeflateOptions() : null,
        });

    private static byte[] Inflate(byte[] compressed)
    {
        using var input = new MemoryStream(Frames.Concat(compressed, new byte[] { 0x00, 0x00, 0xFF, 0xFF }));
        using var inflater = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflater.CopyTo(output);
        return output.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_role_detach_form_and_keep_alive_setting_hands_off_every_byte_and_injects_none(bool isServer, Options options, Mode mode)
    {
        bool pending = mode is Mode.DetachWithReceivePending or Mode.SendAndDetachWithReceivePending;
        bool sendFinal = mode is Mode.SendAndDetach or Mode.SendAndDetachWithReceivePending;
        for (int iteration = 0; iteration < 4; iteration++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Create(lb.LocalStream, isServer, options);
            bool masked = isServer;

            // Ordinary traffic with pings from the peer (answered by the WebSocket) while keep-alive runs.
            for (int i = 0; i < 3; i++)
            {
                await lb.RemoteStream.WriteAsync(Frames.Concat(
                    Frames.Build(Frames.Ping, new byte[] { (byte)i }, masked: masked),
                    Frames.Build(Frames.Binary, Frames.RandomBytes(10 + i * 300), masked: masked)));
                await Peers.ReceiveMessageAsync(ws);
                await ws.SendAsync(new byte[] { (byte)i }, WebSocketMessageType.Binary, true, Bounded.Token()).Within();
            }

            // The agreed last message; without a pending receive, raw bytes come in the same write.
            byte[] rawIn1 = pending ? Array.Empty<byte>() : Frames.RandomBytes(500);
            await lb.RemoteStream.WriteAsync(Frames.Concat(Frames.Build(Frames.Text, "SWITCH"u8, masked: masked), rawIn1));
            var (_, last) = await Peers.ReceiveMessageAsync(ws);
            Assert.Equal("SWITCH"u8.ToArray(), last);
            Task<ValueWebSocketReceiveResult>? receive = null;
            if (pending)
            {
                receive = ws.ReceiveAsync(new byte[32].AsMemory(), Bounded.Token()).AsTask();
                await Task.Delay(5);
            }

            byte[] finalOut = Frames.RandomBytes(iteration * 700);
            Stream detached = mode switch
            {
                Mode.SyncDetach => await Task.Run(() => ws.Detach()).Within(),
                _ when sendFinal => await ws.SendAndDetachAsync(finalOut, WebSocketMessageType.Binary).Within(),
                _ => await ws.DetachAsync().Within(),
            };

            if (receive is not null)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => receive.Within());
                Assert.Contains("detached", error.Message);
            }

            // Raw bytes out: one part at once, one after the keep-alive timer has had dozens of chances to fire.
            byte[] rawOut1 = Frames.Concat(new byte[] { 0x42 }, Frames.RandomBytes(100));
            byte[] rawOut2 = Frames.RandomBytes(100);
            await detached.WriteAsync(rawOut1);
            byte[] rawIn2 = Frames.RandomBytes(3000);
            await lb.RemoteStream.WriteAsync(rawIn2);
            await Task.Delay(30);
            await detached.WriteAsync(rawOut2);
            lb.Local.Shutdown(SocketShutdown.Send);
            lb.Remote.Shutdown(SocketShutdown.Send);

            // G1: the detached stream yields exactly what the peer sent after the agreed message.
            Assert.Equal(Frames.Concat(rawIn1, rawIn2), await Bounded.ReadToEndAsync(detached));

            // G2/G3: whole frames, only control frames and the application's messages, the final message last, then raw.
            byte[] wire = await Bounded.ReadToEndAsync(lb.RemoteStream);
            var (frames, raw) = BlackBox.Wire.Split(wire, 0x89, 0x8A, 0x82, 0xC2);
            Assert.Equal(Frames.Concat(rawOut1, rawOut2), raw);
            Assert.All(frames, f => Assert.Equal(!isServer, f.Masked));
            List<Frames.Frame> data = frames.Where(f => f.Opcode == Frames.Binary).ToList();
            Assert.Equal(sendFinal ? 4 : 3, data.Count);
            if (sendFinal)
            {
                Frames.Frame final = frames[^1];
                Assert.Equal(Frames.Binary, final.Opcode);
                bool compressed = (wire[FrameStartOf(wire, frames.Count - 1)] & 0x40) != 0;
                Assert.Equal(finalOut, compressed ? Inflate(final.Payload) : final.Payload);
            }

            await detached.DisposeAsync();
        }
    }

    /// <summary>Offset of the <paramref name="index"/>-th frame of the wire (frames parsed from the start).</summary>
    private static int FrameStartOf(byte[] wire, int index)
    {
        int offset = 0;
        for (int i = 0; i < index; i++)
        {
            Frames.Parse(wire, ref offset);
        }

        return offset;
    }
}
