using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>A real socket stream whose next write, once armed, waits until the test releases it (a write stuck in flight).</summary>
internal sealed class HoldingWriteStream : DelegatingStream
{
    private readonly TaskCompletionSource<bool> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    public HoldingWriteStream(Stream inner)
        : base(inner)
    {
    }

    /// <summary>Completes when the armed write has started and is being held.</summary>
    public Task WriteHeld => _held.Task;

    public void HoldNextWrite() => Volatile.Write(ref _armed, 1);

    public void Release() => _release.TrySetResult(true);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _held.TrySetResult(true);
            await _release.Task.ConfigureAwait(false);
        }

        await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A peer-side stream that puts <paramref name="prefix"/> in front of its first write (one TCP write for both).</summary>
internal sealed class PrefixFirstWriteStream : DelegatingStream
{
    private byte[]? _prefix;

    public PrefixFirstWriteStream(Stream inner, byte[] prefix)
        : base(inner)
    {
        _prefix = prefix;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        byte[]? prefix = Interlocked.Exchange(ref _prefix, null);
        return prefix is null
            ? Inner.WriteAsync(buffer, cancellationToken)
            : Inner.WriteAsync(Frames.Concat(prefix, buffer.ToArray()), cancellationToken);
    }
}

/// <summary>Parses what a peer read off the wire: whole WebSocket frames first, then raw bytes.</summary>
internal static class Wire
{
    /// <summary>
    /// Splits <paramref name="bytes"/> into the leading frames whose first byte is one of <paramref name="frameStarts"/>
    /// and the bytes after them (the test's raw bytes start with a byte that is none of those).
    /// </summary>
    public static (System.Collections.Generic.List<Frames.Frame> Frames, byte[] Raw) Split(byte[] bytes, params byte[] frameStarts)
    {
        var frames = new System.Collections.Generic.List<Frames.Frame>();
        int offset = 0;
        while (offset < bytes.Length && Array.IndexOf(frameStarts, bytes[offset]) >= 0)
        {
            frames.Add(Frames.Parse(bytes, ref offset));
        }

        return (frames, bytes.AsSpan(offset).ToArray());
    }
}
