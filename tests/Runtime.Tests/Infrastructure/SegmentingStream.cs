using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WebSocketHandoff.Tests.Infrastructure;

/// <summary>
/// A real socket stream whose reads end exactly at the given boundaries (a read never crosses one), so that a test can
/// put a transport read boundary at every byte of a frame. Writes pass through.
/// </summary>
internal sealed class SegmentingStream : Stream
{
    private readonly Stream _inner;
    private readonly int[] _segments;
    private int _index;
    private int _leftInSegment;

    public SegmentingStream(Stream inner, params int[] segments)
    {
        _inner = inner;
        _segments = segments;
        _leftInSegment = segments.Length > 0 ? segments[0] : int.MaxValue;
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer.Slice(0, Math.Min(buffer.Length, _leftInSegment)), cancellationToken);
        _leftInSegment -= n;
        if (_leftInSegment == 0)
        {
            _index++;
            _leftInSegment = _index < _segments.Length ? _segments[_index] : int.MaxValue;
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
