using System;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using WebSocketHandoff;

namespace Bench;

/// <summary>
/// Detached raw throughput: the stream returned by <see cref="HandoffWebSocket.DetachAsync"/> against the bare
/// <see cref="System.Net.Sockets.NetworkStream"/> it wraps — the very stream given to
/// <see cref="HandoffWebSocket.CreateFromStream"/>, on the same socket, with the same peer. Both methods of a pair use one
/// set-up (one connection, one detach), so the only difference between them is the code path; two connections would add
/// a per-connection difference (buffer sizes, which core serves the socket) that is larger than what is measured here.
/// The detach is a real one, set up once per parameter: the peer writes a final WebSocket message and raw bytes in a
/// single TCP write (so the raw bytes arrive in the same read as the frame), the client receives the message, detaches
/// and drains the residual bytes; what is measured is the steady state after that, where reading or writing the bare
/// stream directly is legitimate (nothing is left buffered in the helper). One operation moves
/// <see cref="MiBPerOperation"/> MiB, so Mean is per MiB.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class DetachedThroughput
{
    public const int MiBPerOperation = 16;
    private const long BytesPerOperation = MiBPerOperation * 1024L * 1024L;
    private const int ResidualBytes = 1000;

    private Loopback _loopback = null!;
    private HandoffWebSocket _socket = null!;
    private Stream _detached = null!;
    private byte[] _buffer = null!;
    private byte[] _peerBuffer = null!;

    /// <summary>The size of each read or write the application makes.</summary>
    [Params(4096, 65536)]
    public int BufferSize { get; set; }

    /// <summary>One connection and one detach for all four methods (BenchmarkDotNet runs it once per parameter).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _loopback = Loopback.Open();
        _socket = HandoffWebSocket.CreateFromStream(_loopback.Client, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
        _buffer = new byte[BufferSize];
        _peerBuffer = new byte[65536];
        new Random(2).NextBytes(_peerBuffer);

        // The peer's final message ("switch", an unmasked server text frame) and raw bytes, in one write.
        byte[] handoff = new byte[2 + 6 + ResidualBytes];
        handoff[0] = 0x81;
        handoff[1] = 6;
        "switch"u8.CopyTo(handoff.AsSpan(2));
        for (int i = 0; i < ResidualBytes; i++)
        {
            handoff[8 + i] = (byte)i;
        }
        _loopback.Server.Write(handoff);

        ValueWebSocketReceiveResult result = _socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (!result.EndOfMessage || result.Count != 6)
        {
            throw new InvalidOperationException("the final message did not arrive whole");
        }
        _detached = _socket.DetachAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        byte[] residual = new byte[ResidualBytes];
        _detached.ReadExactly(residual);
        for (int i = 0; i < ResidualBytes; i++)
        {
            if (residual[i] != (byte)i)
            {
                throw new InvalidOperationException($"residual byte {i} is {residual[i]}, not {(byte)i}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detached.Dispose();
        _socket.Dispose();
        _loopback.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = MiBPerOperation), BenchmarkCategory("Read")]
    public Task Bare_Read() => Read(_loopback.Client);

    [Benchmark(OperationsPerInvoke = MiBPerOperation), BenchmarkCategory("Read")]
    public Task Detached_Read() => Read(_detached);

    [Benchmark(Baseline = true, OperationsPerInvoke = MiBPerOperation), BenchmarkCategory("Write")]
    public Task Bare_Write() => Write(_loopback.Client);

    [Benchmark(OperationsPerInvoke = MiBPerOperation), BenchmarkCategory("Write")]
    public Task Detached_Write() => Write(_detached);

    /// <summary>The peer writes <see cref="BytesPerOperation"/> bytes; the stream under test reads them all.</summary>
    private async Task Read(Stream stream)
    {
        Task peer = Task.Run(PeerWrite);
        Memory<byte> buffer = _buffer;
        long total = 0;
        while (total < BytesPerOperation)
        {
            int read = await stream.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }
            total += read;
        }
        await peer.ConfigureAwait(false);
    }

    /// <summary>The stream under test writes <see cref="BytesPerOperation"/> bytes; the peer drains them.</summary>
    private async Task Write(Stream stream)
    {
        Task peer = Task.Run(PeerRead);
        ReadOnlyMemory<byte> buffer = _buffer;
        for (long total = 0; total < BytesPerOperation; total += buffer.Length)
        {
            await stream.WriteAsync(buffer, CancellationToken.None).ConfigureAwait(false);
        }
        await peer.ConfigureAwait(false);
    }

    private void PeerWrite()
    {
        for (long total = 0; total < BytesPerOperation; total += _peerBuffer.Length)
        {
            _loopback.Server.Write(_peerBuffer);
        }
    }

    private void PeerRead()
    {
        long total = 0;
        while (total < BytesPerOperation)
        {
            int read = _loopback.Server.Read(_peerBuffer);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }
            total += read;
        }
    }
}
