using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff.Tests.Infrastructure;

/// <summary>A real socket stream whose reads are cut to random lengths (seeded), to vary where transport reads end.</summary>
internal sealed class RandomSegmentingStream : DelegatingStream
{
    private readonly Random _random;

    public RandomSegmentingStream(Stream inner, int seed)
        : base(inner)
    {
        _random = new Random(seed);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int limit;
        lock (_random)
        {
            limit = _random.Next(4) == 0 ? buffer.Length : _random.Next(1, 32);
        }

        return Inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, limit)), cancellationToken);
    }
}
