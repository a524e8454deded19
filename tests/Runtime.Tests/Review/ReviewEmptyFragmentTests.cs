using System;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.Review;

/// <summary>Empty fragments at either end of the final message, raw bytes coalesced.</summary>
public sealed class ReviewEmptyFragmentTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Final_message_with_empty_first_and_last_fragments_then_raw_bytes_loses_nothing(bool isServer)
    {
        using Loopback lb = await Loopback.CreateAsync();
        using HandoffWebSocket ws = Peers.Handoff(lb.LocalStream, isServer);
        byte[] raw = Frames.RandomBytes(64);
        await lb.RemoteStream.WriteAsync(Frames.Concat(
            Frames.Build(Frames.Text, ReadOnlySpan<byte>.Empty, fin: false, masked: isServer),
            Frames.Build(Frames.Continuation, "abc"u8, fin: false, masked: isServer),
            Frames.Build(Frames.Ping, ReadOnlySpan<byte>.Empty, masked: isServer),
            Frames.Build(Frames.Continuation, ReadOnlySpan<byte>.Empty, fin: true, masked: isServer),
            raw));
        var (type, payload) = await Peers.ReceiveMessageAsync(ws, chunk: 2);
        Assert.Equal((WebSocketMessageType.Text, "abc"), (type, Encoding.UTF8.GetString(payload)));
        await using Stream detached = await ws.DetachAsync().Within();
        Assert.Equal(raw, await Bounded.ReadExactlyAsync(detached, raw.Length));
    }
}
