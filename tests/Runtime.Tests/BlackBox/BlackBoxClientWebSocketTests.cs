using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests.BlackBox;

/// <summary>A server-role HandoffWebSocket behind a hand-written HTTP upgrade, with a real ClientWebSocket as the peer.</summary>
public sealed class BlackBoxClientWebSocketTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientWebSocket_peer_talks_to_the_server_then_its_close_after_the_switch_arrives_raw_and_unanswered(bool deflate)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        using var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(1);
        if (deflate)
        {
            client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        }

        Task connect = client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), Bounded.Token());
        using Socket accepted = await listener.AcceptAsync().WaitAsync(Bounded.Limit);
        await using var network = new NetworkStream(accepted, ownsSocket: false);
        string request = await ReadHeadersAsync(network);
        bool offered = request.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(deflate, offered);
        string key = HeaderValue(request, "Sec-WebSocket-Key");
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\n" + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : string.Empty) + "\r\n";
        await network.WriteAsync(Encoding.ASCII.GetBytes(response));
        await connect.Within();

        using HandoffWebSocket server = HandoffWebSocket.CreateFromStream(network, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = TimeSpan.FromMilliseconds(1),
            DangerousDeflateOptions = deflate ? new WebSocketDeflateOptions() : null,
        });

        byte[] big = Encoding.UTF8.GetBytes(new string('z', 100_000) + "\u00e9");
        await client.SendAsync(big, WebSocketMessageType.Text, true, Bounded.Token());
        Assert.Equal(big, (await Peers.ReceiveMessageAsync(server, chunk: 1000)).Payload);
        await server.SendAsync(big, WebSocketMessageType.Text, true, Bounded.Token());
        Assert.Equal(big, (await Peers.ReceiveMessageAsync(client)).Payload);

        // The server switches; the client receives the final message, then (knowing no better) closes.
        Task<(WebSocketMessageType, byte[])> final = Peers.ReceiveMessageAsync(client);
        await using Stream raw = await server.SendAndDetachAsync("SWITCH"u8.ToArray(), WebSocketMessageType.Text).Within();
        Assert.Equal("SWITCH", Encoding.UTF8.GetString((await final.Within()).Item2));
        Task clientClose = client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token());
        await clientClose.Within();

        // The client's keep-alive pongs and its close frame reach the detached stream as raw bytes, whole and masked;
        // nothing answers the close.
        await Task.Delay(20);
        server.Dispose();
        accepted.Shutdown(SocketShutdown.Send);
        while (true)
        {
            Frames.Frame frame = await Frames.ReadAsync(raw);
            Assert.True(frame.Masked);
            if (frame.Opcode == Frames.Close)
            {
                Assert.Equal("bye", Encoding.UTF8.GetString(frame.Payload.AsSpan(2)));
                break;
            }

            Assert.Equal(Frames.Pong, frame.Opcode);
        }

        // The client got nothing after the final message: its receive sees the end of the stream, not a close frame.
        var error = await Record.ExceptionAsync(() => client.ReceiveAsync(new byte[10].AsMemory(), Bounded.Token()).AsTask().Within());
        Assert.True(error is WebSocketException, error?.ToString());
    }

    private static async Task<string> ReadHeadersAsync(Stream stream)
    {
        // Byte by byte: nothing after the blank line may be taken from the stream.
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one, Bounded.Token());
            headers.Append((char)one[0]);
        }

        return headers.ToString();
    }

    private static string HeaderValue(string headers, string name)
    {
        foreach (string line in headers.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        throw new InvalidOperationException($"no {name} header");
    }
}
