using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WebSocketHandoff.Tests.BlackBox2;

/// <summary>
/// The two-message exchange of docs/handoff.md with live traffic: on each side a send loop and a receive loop run while
/// the switch happens, keep-alive fires every millisecond on both, and A's transport cuts its reads at random lengths and
/// completes its writes asynchronously. A's <c>SendAndDetachAsync</c> races A's own receive loop and send loop (it is
/// refused while one of B's messages is arriving, and retried); B answers from its receive loop. Every message that a
/// send reported done must be received exactly once, in order, and the raw bytes must pass both ways.
/// Iterations: WSH_FUZZ_ITERATIONS (default 50 here); a failure prints the seed to replay with WSH_FUZZ_SEED.
/// </summary>
public sealed class BlackBox2ConcurrentSwitchTests
{
    private readonly ITestOutputHelper _output;

    public BlackBox2ConcurrentSwitchTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_and_receive_loops_on_both_sides_during_the_two_message_switch_lose_and_inject_nothing(bool tls)
    {
        // Over TLS a third as many iterations: each one costs a handshake.
        // 50 by default: 65,000 iterations in two long runs found nothing, but the helper that wrote the test saw two
        // unexplained 20 s timeouts in about 20,000 iterations of an earlier version; a long run is an opt-in setting.
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("WSH_FUZZ_ITERATIONS"), out int n) ? Math.Max(1, n / 3) : 50;
        iterations = tls ? Math.Max(1, iterations / 3) : iterations;
        int baseSeed = int.TryParse(Environment.GetEnvironmentVariable("WSH_FUZZ_SEED"), out int s) ? s : Environment.TickCount;
        _output.WriteLine($"base seed {baseSeed}, {iterations} iterations");
        for (int i = 0; i < iterations; i++)
        {
            int seed = unchecked(baseSeed + i);
            var stage = new string[1];
            try
            {
                await RunOneAsync(seed, tls, _stats, stage).WaitAsync(Bounded.Limit);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Iteration {i} failed at '{stage[0]}'; replay with WSH_FUZZ_SEED={seed} WSH_FUZZ_ITERATIONS=3\n{ex}");
            }
        }

        _output.WriteLine($"messages A->B {_stats[0]}, B->A {_stats[1]} (of which after A's handoff point {_stats[2]}), refused switch requests {_stats[3]}");
    }

    // Totals over the iterations, to show the races happen: messages each way, B's messages read by A's second
    // WebSocket (they crossed A's handoff point), switch requests refused while a message was arriving.
    private readonly int[] _stats = new int[4];

    private static async Task RunOneAsync(int seed, bool tls, int[] stats, string[] stage)
    {
        var random = new Random(seed);
        bool aIsServer = random.Next(2) == 0;
        int aMessagesBeforeSwitch = random.Next(0, 12);
        int aSeed = random.Next();
        int bSeed = random.Next();
        int segmentSeed = random.Next();

        using Loopback lb = await Loopback.CreateAsync();
        Stream aPlain = lb.LocalStream;
        Stream bPlain = lb.RemoteStream;
        if (tls)
        {
            (aPlain, bPlain) = await Review.ReviewHelpers.TlsAsync(lb);
        }

        Stream aTransport = new YieldingWriteStream(new RandomSegmentingStream(aPlain, segmentSeed));
        using HandoffWebSocket a = Peers.Handoff(aTransport, aIsServer, TimeSpan.FromMilliseconds(1));
        using HandoffWebSocket b = Peers.Handoff(bPlain, !aIsServer, TimeSpan.FromMilliseconds(1));

        var aSent = new List<byte[]>();
        var bSent = new List<byte[]>();
        var aReceived = new List<byte[]>();
        var bReceived = new List<byte[]>();
        var aSentEnough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task aSendLoop = SendLoopAsync(a, new Random(aSeed), aSent, () => aSentEnough.TrySetResult(), aMessagesBeforeSwitch);
        Task bSendLoop = SendLoopAsync(b, new Random(bSeed), bSent, null, 0);

        // A's receive loop runs until A's detach fails its pending receive (or refuses a new one).
        Task aReceiveLoop = Task.Run(async () =>
        {
            while (true)
            {
                (WebSocketMessageType Type, byte[] Payload) message;
                try
                {
                    message = await Peers.ReceiveMessageAsync(a);
                }
                catch (InvalidOperationException ex)
                {
                    // Only a committed detach fails a receive (a refused one changes nothing), and only between messages.
                    Assert.Contains("detached", ex.Message);
                    return;
                }

                Assert.Equal(WebSocketMessageType.Binary, message.Type);
                lock (aReceived)
                {
                    aReceived.Add(message.Payload);
                }
            }
        });

        // B's receive loop answers the switch request itself, then B is raw.
        Task<Stream> bSide = Task.Run(async () =>
        {
            while (true)
            {
                var (type, payload) = await Peers.ReceiveMessageAsync(b);
                if (type == WebSocketMessageType.Text)
                {
                    Assert.Equal("SWITCH?", Encoding.UTF8.GetString(payload));
                    return await b.SendAndDetachAsync("SWITCHING"u8.ToArray(), WebSocketMessageType.Text);
                }

                bReceived.Add(payload);
            }
        });

        // Another task of A asks for the switch once A's send loop has sent its share, while both of A's loops run.
        stage[0] = "waiting for A's send loop";
        await aSentEnough.Task;
        Stream aFirst;
        while (true)
        {
            try
            {
                stage[0] = "A's SendAndDetachAsync";
                aFirst = await a.SendAndDetachAsync("SWITCH?"u8.ToArray(), WebSocketMessageType.Text);
                break;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("arriving") || ex.Message.Contains("inside a received message"))
            {
                // One of B's messages is being delivered to A's receive loop: documented refusal, nothing changed.
                Assert.False(a.IsDetached);
                Interlocked.Increment(ref stats[3]);
                await Task.Delay(1);
            }
        }

        stage[0] = "A's receive loop after A's detach";
        await aReceiveLoop;
        stage[0] = "A's send loop after A's detach";
        await aSendLoop;
        Assert.True(a.IsDetached);

        // B's traffic after A's handoff point, up to the answer, through a silent second WebSocket.
        stage[0] = "A's tail receiving up to SWITCHING";
        using HandoffWebSocket tail = Peers.Handoff(aFirst, aIsServer);
        while (true)
        {
            var (type, payload) = await Peers.ReceiveMessageAsync(tail);
            if (type == WebSocketMessageType.Text)
            {
                Assert.Equal("SWITCHING", Encoding.UTF8.GetString(payload));
                break;
            }

            aReceived.Add(payload);
            Interlocked.Increment(ref stats[2]);
        }

        stage[0] = "tail detach";
        Stream aRaw = await tail.DetachAsync();
        stage[0] = "B's side";
        Stream bRaw = await bSide;
        stage[0] = "B's send loop";
        await bSendLoop;

        stage[0] = "checking messages";
        AssertSameMessages(aSent, bReceived, "A to B");
        AssertSameMessages(bSent, aReceived, "B to A");
        Interlocked.Add(ref stats[0], aSent.Count);
        Interlocked.Add(ref stats[1], bSent.Count);

        byte[] fromA = Frames.RandomBytes(random.Next(1, 40_000), random);
        byte[] fromB = Frames.RandomBytes(random.Next(1, 40_000), random);
        stage[0] = "raw bytes both ways";
        if (tls)
        {
            // SslStream cannot send its close_notify while a read is pending on it (OpenSSL fails the shutdown), so over
            // TLS each side reads exactly what the other wrote; over TCP a half-close also proves nothing follows.
            Task<byte[]> atA = Bounded.ReadExactlyAsync(aRaw, fromB.Length);
            Task<byte[]> atB = Bounded.ReadExactlyAsync(bRaw, fromA.Length);
            await Task.WhenAll(aRaw.WriteAsync(fromA).AsTask(), bRaw.WriteAsync(fromB).AsTask());
            Assert.Equal(fromB, await atA);
            Assert.Equal(fromA, await atB);
        }
        else
        {
            Task writes = Task.WhenAll(
                Task.Run(async () => { await aRaw.WriteAsync(fromA); lb.Local.Shutdown(SocketShutdown.Send); }),
                Task.Run(async () => { await bRaw.WriteAsync(fromB); lb.Remote.Shutdown(SocketShutdown.Send); }));
            var gotA = new MemoryStream();
            var gotB = new MemoryStream();
            Task atA = aRaw.CopyToAsync(gotA, Bounded.Token());
            Task atB = bRaw.CopyToAsync(gotB, Bounded.Token());
            stage[0] = "raw writes";
            await writes;
            stage[0] = "raw reads";
            try
            {
                await Task.WhenAll(atA, atB).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                stage[0] = $"raw reads: A got {gotA.Length}/{fromB.Length} (done {atA.IsCompleted}), B got {gotB.Length}/{fromA.Length} (done {atB.IsCompleted})";
                throw;
            }

            Assert.Equal(fromB, gotA.ToArray());
            Assert.Equal(fromA, gotB.ToArray());
        }

        await aRaw.DisposeAsync();
        await bRaw.DisposeAsync();
    }

    /// <summary>
    /// Sends random whole Binary messages until its WebSocket is detached; a send refused while a detach decides is retried
    /// (the detach may yet be refused). Only sends that completed are recorded.
    /// </summary>
    private static Task SendLoopAsync(HandoffWebSocket ws, Random random, List<byte[]> sent, Action? onEnough, int enough)
        => Task.Run(async () =>
        {
            if (enough == 0)
            {
                onEnough?.Invoke();
            }

            byte[] next = Frames.RandomBytes(random.Next(0, 3000), random);
            while (!ws.IsDetached)
            {
                try
                {
                    await ws.SendAsync(next, WebSocketMessageType.Binary, true, Bounded.Token());
                }
                catch (InvalidOperationException)
                {
                    // Refused: a detach is deciding, or done. Not on the wire.
                    await Task.Yield();
                    continue;
                }

                sent.Add(next);
                if (sent.Count == enough)
                {
                    onEnough?.Invoke();
                }

                next = Frames.RandomBytes(random.Next(0, 3000), random);
                if (random.Next(3) == 0)
                {
                    await Task.Delay(1);
                }
            }
        });

    private static void AssertSameMessages(List<byte[]> sent, List<byte[]> received, string direction)
    {
        Assert.True(sent.Count == received.Count, $"{direction}: {sent.Count} messages sent, {received.Count} received");
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.True(sent[i].AsSpan().SequenceEqual(received[i]), $"{direction}: message {i} differs");
        }
    }
}

/// <summary>A transport whose writes always complete asynchronously (after a yield), as a TLS or pipe transport's may.</summary>
internal sealed class YieldingWriteStream : DelegatingStream
{
    public YieldingWriteStream(Stream inner)
        : base(inner)
    {
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }
}
