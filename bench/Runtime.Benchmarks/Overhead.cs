using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff;

namespace Bench;

/// <summary>
/// The helper's own CPU cost per message, without a network: the BCL WebSocket and HandoffWebSocket run over an
/// in-memory transport whose reads and writes complete at once (writes are dropped, reads replay a buffer of ready
/// frames), so what is left is the code path of each — the WebSocket framing, plus, for the helper, its gate and the
/// frame-bounded stream. The difference in nanoseconds per message, set against what the same message costs over loopback
/// TCP (the interleaved mode), is the gap the helper can cause at most; it tells a real cost from network noise.
/// A third line runs the BCL WebSocket over a pass-through stream (one more virtual call per I/O, nothing else) to tell
/// the cost of a stream layer as such from the helper's bookkeeping, and a fourth times an uncontended lock.
/// </summary>
public static class Overhead
{
    private const int MessagesPerRound = 20_000;
    private const int WarmUpRounds = 20;

    /// <summary><c>overhead [rounds] [message size]</c>.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        int size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;

        output.WriteLine($"Overhead: CPU cost per {size} B message over an in-memory transport that completes at once; {rounds} rounds of {MessagesPerRound:N0} messages after {WarmUpRounds} warm-up rounds, order rotated every round; {Environment.ProcessorCount} logical cores, .NET {Environment.Version}.");
        output.WriteLine();
        output.WriteLine("| Operation | BCL WebSocket | BCL over a pass-through stream | HandoffWebSocket | Handoff − BCL (median of rounds) [95% CI] | Handoff / BCL (median of rounds) | Transport calls per message, BCL → Handoff | Allocated per message, BCL → Handoff |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|---|");
        byte[] message = new byte[size];
        new Random(3).NextBytes(message);
        output.WriteLine(Measure("SendAsync(ReadOnlyMemory)", rounds, replayedSize: 0, (transport, handoff) => new Sender(transport, message, handoff)));
        output.WriteLine(Measure("ReceiveAsync(Memory)", rounds, replayedSize: size, (transport, handoff) => new Receiver(transport, size, handoff)));
        output.WriteLine();
        output.WriteLine($"An uncontended lock (Monitor.Enter + Exit): {Format(LockCost())} (median of {rounds} rounds).");
        return 0;
    }

    private interface IWorkload
    {
        ValueTask RunAsync(int messages);
    }

    private static string Measure(string operation, int rounds, int replayedSize, Func<Stream, bool, IWorkload> make)
    {
        // Three subjects measured in turn each round, the order rotated so that none always goes first.
        var bclTransport = new ReplayStream(replayedSize);
        var handoffTransport = new ReplayStream(replayedSize);
        IWorkload[] subjects =
        {
            make(bclTransport, false),
            make(new PassThroughStream(new ReplayStream(replayedSize)), false),
            make(handoffTransport, true),
        };

        var times = new[] { new List<double>(), new List<double>(), new List<double>() };
        var allocated = new long[3];
        var differences = new List<double>();
        var ratios = new List<double>();
        for (int round = -WarmUpRounds; round < rounds; round++)
        {
            var ns = new double[3];
            for (int k = 0; k < 3; k++)
            {
                int which = (k + Math.Max(round, 0)) % 3;
                (double t, long a) = Interleaved.Time(() => subjects[which].RunAsync(MessagesPerRound).AsTask());
                ns[which] = t / MessagesPerRound;
                if (round >= 0)
                {
                    allocated[which] += a;
                }
            }
            if (round >= 0)
            {
                for (int k = 0; k < 3; k++)
                {
                    times[k].Add(ns[k]);
                }
                differences.Add(ns[2] - ns[0]);
                ratios.Add(ns[2] / ns[0]);
            }
        }

        RoundStatistics d = RoundStatistics.Of(differences);

        // Reads or writes that reached the transport, over every message of the run (warm-up included): a syscall each
        // on a real socket, which is where a difference in buffering would show over loopback.
        long total = (long)(rounds + WarmUpRounds) * MessagesPerRound;
        // The difference and the ratio are taken per round and then summarised, like the interleaved mode's ratios: under a
        // drifting load, medians of the three columns can come from different rounds.
        return $"| {operation} | {Format(Interleaved.Median(times[0]))} | {Format(Interleaved.Median(times[1]))} | {Format(Interleaved.Median(times[2]))} | " +
            $"{d.Median:F1} ns [{d.Low95:F1}, {d.High95:F1}] | {Interleaved.Median(ratios):F3} | " +
            $"{PerMessage(bclTransport.Calls, 1, total)} → {PerMessage(handoffTransport.Calls, 1, total)} | " +
            $"{PerMessage(allocated[0], rounds, MessagesPerRound)} B → {PerMessage(allocated[2], rounds, MessagesPerRound)} B |";
    }

    private static string PerMessage(long count, long rounds, long messagesPerRound) =>
        ((double)count / rounds / messagesPerRound).ToString("F2", CultureInfo.InvariantCulture);

    private static string Format(double ns) => ns.ToString("F1", CultureInfo.InvariantCulture) + " ns";

    private static double LockCost()
    {
        object gate = new();
        int counter = 0;
        var samples = new List<double>();
        for (int round = 0; round < 200; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < 100_000; i++)
            {
                lock (gate)
                {
                    counter++;
                }
            }
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6 / 100_000);
        }
        GC.KeepAlive(counter);
        return Interleaved.Median(samples);
    }

    private static WebSocket Client(Stream transport, bool handoff) => handoff
        ? HandoffWebSocket.CreateFromStream(transport, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30))
        : WebSocket.CreateFromStream(transport, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));

    /// <summary>The socket under test sends messages; the transport drops them.</summary>
    private sealed class Sender : IWorkload
    {
        private readonly WebSocket _socket;
        private readonly byte[] _message;

        public Sender(Stream transport, byte[] message, bool handoff)
        {
            _message = message;
            _socket = Client(transport, handoff);
        }

        public async ValueTask RunAsync(int messages)
        {
            for (int i = 0; i < messages; i++)
            {
                await _socket.SendAsync(_message.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The socket under test receives messages that the transport replays from a buffer of server frames.</summary>
    private sealed class Receiver : IWorkload
    {
        private readonly WebSocket _socket;
        private readonly byte[] _buffer;

        public Receiver(Stream transport, int size, bool handoff)
        {
            _buffer = new byte[size];
            _socket = Client(transport, handoff);
        }

        public async ValueTask RunAsync(int messages)
        {
            Memory<byte> buffer = _buffer;
            for (int i = 0; i < messages; i++)
            {
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                }
                while (!result.EndOfMessage);
            }
        }
    }

    /// <summary>
    /// Reads replay, without end, about 64 KiB of unmasked server binary frames of the given payload size, in chunks as
    /// large as the reader asks for, as a socket with plenty of data would deliver them; writes are dropped. Everything
    /// completes at once.
    /// </summary>
    private sealed class ReplayStream : NonSeekableStream
    {
        private readonly byte[] _frames = new byte[1];
        private int _position;

        /// <param name="size">The payload size of the frames to replay; 0 for a stream that is only written.</param>
        public ReplayStream(int size)
        {
            if (size == 0)
            {
                return;
            }

            byte[] header = size < 126
                ? new byte[] { 0x82, (byte)size }
                : size < 65536 ? new byte[] { 0x82, 126, (byte)(size >> 8), (byte)size }
                : new byte[] { 0x82, 127, 0, 0, 0, 0, (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size };
            int frame = header.Length + size;
            int count = Math.Max(1, 65536 / frame);
            _frames = new byte[frame * count];
            for (int i = 0; i < count; i++)
            {
                header.CopyTo(_frames, i * frame);
            }
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => new(Read(buffer.Span));

        /// <summary>How many reads and writes reached this stream.</summary>
        public long Calls { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            Calls++;
            int n = Math.Min(buffer.Length, _frames.Length - _position);
            _frames.AsSpan(_position, n).CopyTo(buffer);
            _position = (_position + n) % _frames.Length;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Calls++;
            return default;
        }

        public override void Write(byte[] buffer, int offset, int count) => Calls++;

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }
    }

    /// <summary>Forwards every call to the inner stream: the cost of one more stream layer and nothing else.</summary>
    internal sealed class PassThroughStream : NonSeekableStream
    {
        private readonly Stream _inner;

        public PassThroughStream(Stream inner) => _inner = inner;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => _inner.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => _inner.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override void Flush() => _inner.Flush();
    }

    /// <summary>A readable, writable stream that cannot seek: the members every stream here shares.</summary>
    internal abstract class NonSeekableStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
