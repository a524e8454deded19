using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WebSocketHandoff.Tests;

/// <summary>
/// Seeded random conversations: messages, fragmentation, pings, keep-alive on or off, random segmentation of writes and
/// reads, then the handoff and raw bytes both ways, checked byte for byte. Iterations: WSH_FUZZ_ITERATIONS (default 300);
/// a failure prints the seed to replay with WSH_FUZZ_SEED.
/// </summary>
public sealed class RandomizedHandoffTests
{
    private readonly ITestOutputHelper _output;

    public RandomizedHandoffTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Random_conversations_hand_off_every_byte_both_ways()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("WSH_FUZZ_ITERATIONS"), out int n) ? n : 300;
        int baseSeed = int.TryParse(Environment.GetEnvironmentVariable("WSH_FUZZ_SEED"), out int s) ? s : Environment.TickCount;
        _output.WriteLine($"base seed {baseSeed}, {iterations} iterations");
        for (int i = 0; i < iterations; i++)
        {
            int seed = unchecked(baseSeed + i);
            try
            {
                await RunOneAsync(seed).Within();
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Iteration {i} failed; replay with WSH_FUZZ_SEED={seed} WSH_FUZZ_ITERATIONS=1\n{ex}");
            }
        }
    }

    private static async Task RunOneAsync(int seed)
    {
        var random = new Random(seed);
        bool isServer = random.Next(2) == 0;
        TimeSpan keepAlive = random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(1);
        bool sendFinal = random.Next(2) == 0;

        var messages = new List<(WebSocketMessageType Type, byte[] Payload)>();
        var pings = new List<byte[]>();
        using var wire = new MemoryStream();
        byte[] residualPrefix = Array.Empty<byte>();
        int messageCount = random.Next(1, 6);
        for (int m = 0; m < messageCount; m++)
        {
            int length = random.Next(10) == 0 ? random.Next(65_000, 140_000) : random.Next(0, 400);
            bool text = random.Next(2) == 0;
            byte[] payload = new byte[length];
            for (int b = 0; b < length; b++)
            {
                payload[b] = text ? (byte)random.Next(0x20, 0x7F) : (byte)random.Next(256);
            }

            messages.Add((text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, payload));
            int fragments = Math.Min(random.Next(1, 5), Math.Max(1, length));
            int offset = 0;
            for (int f = 0; f < fragments; f++)
            {
                int size = f == fragments - 1 ? length - offset : random.Next(0, length - offset + 1);
                int opcode = f == 0 ? (text ? Frames.Text : Frames.Binary) : Frames.Continuation;
                wire.Write(Frames.Build(opcode, payload.AsSpan(offset, size), fin: f == fragments - 1, masked: isServer));
                offset += size;
                if (random.Next(3) == 0)
                {
                    byte[] ping = Frames.RandomBytes(random.Next(0, 20), random);
                    byte[] pingFrame = Frames.Build(Frames.Ping, ping, masked: isServer);
                    if (m == messageCount - 1 && f == fragments - 1)
                    {
                        // After the last frame the application consumes: not the WebSocket's, part of what the detach returns.
                        residualPrefix = pingFrame;
                    }
                    else
                    {
                        pings.Add(ping);
                    }

                    wire.Write(pingFrame);
                }
            }
        }

        byte[] tail = Frames.RandomBytes(random.Next(0, 3000), random);
        wire.Write(tail);
        tail = Frames.Concat(residualPrefix, tail);
        byte[] back = Frames.RandomBytes(random.Next(1, 3000), random);
        back[0] = 0x00; // never the first byte of a frame the helper may write
        byte[] final = Frames.RandomBytes(random.Next(0, 300), random);

        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(new RandomSegmentingStream(lb.LocalStream, seed), isServer, keepAlive);

        Task writer = WriteInRandomChunksAsync(lb.RemoteStream, wire.ToArray(), new Random(seed ^ 0x5EED));
        Task<byte[]> peerReads = Bounded.ReadToEndAsync(lb.RemoteStream);

        foreach (var (type, payload) in messages)
        {
            var (receivedType, received) = await Peers.ReceiveMessageAsync(ws, chunk: random.Next(1, 5000));
            Assert.Equal(type, receivedType);
            Assert.Equal(payload, received);
        }

        Stream detached = sendFinal
            ? await ws.SendAndDetachAsync(final, WebSocketMessageType.Binary)
            : random.Next(2) == 0 ? await ws.DetachAsync() : ws.Detach();
        await using (detached)
        {
            Assert.Equal(tail, await Bounded.ReadExactlyAsync(detached, tail.Length));
            await writer;
            await detached.WriteAsync(back);
            lb.Local.Shutdown(SocketShutdown.Send);

            byte[] fromHelper = await peerReads;
            int at = 0;
            var pongs = new List<byte[]>();
            while (at < fromHelper.Length && fromHelper[at] != 0x00)
            {
                Frames.Frame frame = Frames.Parse(fromHelper, ref at);
                Assert.Equal(!isServer, frame.Masked);
                if (frame.Opcode == Frames.Pong)
                {
                    if (frame.Payload.Length > 0)
                    {
                        pongs.Add(frame.Payload);
                    }
                }
                else
                {
                    Assert.True(sendFinal, "only SendAndDetachAsync writes a data frame");
                    Assert.Equal((Frames.Binary, true), (frame.Opcode, frame.Fin));
                    Assert.Equal(final, frame.Payload);
                    Assert.Equal(0x00, fromHelper[at]); // the final message is the last frame
                }
            }

            Assert.Equal(pings.Where(p => p.Length > 0).ToList(), pongs);
            Assert.Equal(back, fromHelper.AsSpan(at).ToArray());
        }
    }

    private static async Task WriteInRandomChunksAsync(Stream stream, byte[] bytes, Random random)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            int size = Math.Min(bytes.Length - offset, random.Next(3) == 0 ? random.Next(1, 8) : random.Next(1, 2000));
            await stream.WriteAsync(bytes.AsMemory(offset, size));
            offset += size;
        }
    }
}
