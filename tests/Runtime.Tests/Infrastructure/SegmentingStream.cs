using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff.Tests.Infrastructure;

/// <summary>
/// A real socket stream whose reads end exactly at the given boundaries (a read never crosses one), so that a test can
/// put a transport read boundary at every byte of a frame. Writes pass through.
/// </summary>
internal sealed class SegmentingStream : DelegatingStream
{
    private readonly int[] _segments;
    private int _index;
    private int _leftInSegment;

    public SegmentingStream(Stream inner, params int[] segments)
        : base(inner)
    {
        _segments = segments;
        _leftInSegment = segments.Length > 0 ? segments[0] : int.MaxValue;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await Inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, _leftInSegment)), cancellationToken);
        _leftInSegment -= n;
        if (_leftInSegment == 0)
        {
            _index++;
            _leftInSegment = _index < _segments.Length ? _segments[_index] : int.MaxValue;
        }

        return n;
    }
}
