using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>
/// Cross-implementation handoff the other way round: a Node.js ws client asks for the switch (its last message, with raw
/// bytes in the same tick), and the .NET server, with keep-alive firing every millisecond, answers with
/// <see cref="HandoffWebSocket.SendAndDetachAsync"/>. The ws client parses every frame up to the answer and treats every
/// byte after it as raw, so a keep-alive frame written after the answer would show up in the hash it reports.
/// </summary>
public sealed class NodeInteropClientTests : IClassFixture<NodePeerFixture>
{
    private readonly NodePeerFixture _node;

    public NodeInteropClientTests(NodePeerFixture node) => _node = node;

    [Fact]
    public async Task A_Node_ws_client_switches_both_directions_with_a_server_whose_keep_alive_fires_every_millisecond()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using Process client = _node.Start("node", "client.js " + ((IPEndPoint)listener.LocalEndpoint).Port);
        try
        {
            using TcpClient tcp = await listener.AcceptTcpClientAsync().Within();
            listener.Stop();
            NetworkStream stream = tcp.GetStream();
            await AcceptUpgradeAsync(stream);

            using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, TimeSpan.FromMilliseconds(1));
            Assert.Equal("hello from a ws client", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
            Assert.Equal("first half, second half", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
            Assert.Equal(70000, (await Peers.ReceiveMessageAsync(ws)).Payload.Length);
            (WebSocketMessageType type, byte[] request) = await Peers.ReceiveMessageAsync(ws);
            Assert.Equal((WebSocketMessageType.Text, "SWITCH?"), (type, Encoding.UTF8.GetString(request)));

            await using Stream raw = await ws.SendAndDetachAsync("SWITCHING"u8.ToArray(), WebSocketMessageType.Text).Within();

            // The client's raw bytes, which it wrote in the same tick as SWITCH?, so partly in the same TCP segment.
            using JsonDocument sent = await NodeInteropTests.ReadReportAsync(client);
            byte[] received = await Bounded.ReadExactlyAsync(raw, sent.RootElement.GetProperty("rawLength").GetInt32());
            Assert.Equal(sent.RootElement.GetProperty("rawSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(received)));

            // Ours, after waiting long enough for a thousand keep-alive ticks: the client hashes everything after SWITCHING.
            await Task.Delay(1000);
            byte[] back = Frames.RandomBytes(250_000);
            await raw.WriteAsync(back);
            tcp.Client.Shutdown(SocketShutdown.Send);

            using JsonDocument got = await NodeInteropTests.ReadReportAsync(client);
            Assert.Equal(back.Length, got.RootElement.GetProperty("backLength").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(back)), got.RootElement.GetProperty("backSha256").GetString());
            Assert.Empty(await Bounded.ReadToEndAsync(raw));
        }
        finally
        {
            listener.Stop();
            if (!client.HasExited)
            {
                client.Kill();
            }
        }
    }

    /// <summary>The server side of the HTTP upgrade, read byte by byte so that no frame byte is consumed with the headers.</summary>
    private static async Task AcceptUpgradeAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one, Bounded.Token());
            request.Append((char)one[0]);
        }

        string? key = null;
        foreach (string line in request.ToString().Split("\r\n"))
        {
            if (line.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))
            {
                key = line.Substring("Sec-WebSocket-Key:".Length).Trim();
            }
        }

        Assert.NotNull(key);
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
    }
}
