using System;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>A detach racing a receive loop while frames arrive: every byte ends up either received or in the residual, once.</summary>
public sealed class RaceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Detach_racing_a_pending_receive_never_loses_or_duplicates_a_byte(bool isServer)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int iteration = 0; iteration < 60; iteration++)
        {
            using Loopback lb = await Loopback.CreateAsync();
            using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer, random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(1));

            int messages = random.Next(1, 40);
            var frameEnds = new int[messages + 1];
            using var wireBuilder = new MemoryStream();
            for (int m = 0; m < messages; m++)
            {
                wireBuilder.Write(Frames.Build(Frames.Binary, Frames.RandomBytes(random.Next(0, 60), random), masked: isServer));
                frameEnds[m + 1] = (int)wireBuilder.Length;
            }

            // No raw tail and no end of stream before the detach: a receive loop that keeps receiving would read them as
            // a frame, which is the application's protocol error (fault 3), not the helper's to prevent.
            byte[] wire = wireBuilder.ToArray();

            int received = 0;
            Task receiveLoop = Task.Run(async () =>
            {
                var buffer = new byte[100];
                try
                {
                    while (true)
                    {
                        ValueWebSocketReceiveResult r = await ws.ReceiveAsync(buffer.AsMemory(), Bounded.Token());
                        if (r.EndOfMessage)
                        {
                            Interlocked.Increment(ref received);
                        }
                    }
                }
                catch (InvalidOperationException)
                {
                    // detached while pending, or the receive started after the detach began
                }
            });

            Task writer = Task.Run(async () =>
            {
                int offset = 0;
                var chunks = new Random(seed + iteration);
                while (offset < wire.Length)
                {
                    int size = Math.Min(wire.Length - offset, chunks.Next(1, 64));
                    await lb.RemoteStream.WriteAsync(wire.AsMemory(offset, size));
                    offset += size;
                }
            });

            for (int spin = random.Next(0, 2000); spin > 0; spin--)
            {
                Thread.SpinWait(10);
            }

            Stream detached;
            using var limit = new CancellationTokenSource(Bounded.Limit);
            while (true)
            {
                Assert.False(limit.IsCancellationRequested, $"seed {seed}, iteration {iteration}: the detach was refused for {Bounded.Limit}");
                try
                {
                    detached = await ws.DetachAsync().Within();
                    break;
                }
                catch (InvalidOperationException)
                {
                    await Task.Yield(); // a message was being delivered: let the receive loop take it, then try again
                }
            }

            await using (detached)
            {
                await receiveLoop.Within();
                await writer.Within();
                int consumed = frameEnds[received];
                byte[] residual = await Bounded.ReadExactlyAsync(detached, wire.Length - consumed);
                Assert.True(
                    wire.AsSpan(consumed).SequenceEqual(residual),
                    $"seed {seed}, iteration {iteration}: {received} messages received, the residual differs");
                lb.Remote.Shutdown(SocketShutdown.Send);
                Assert.Empty(await Bounded.ReadToEndAsync(detached));
            }
        }
    }
}
