using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using WebSocketHandoff.Tests.Infrastructure;

namespace WebSocketHandoff.Tests;

/// <summary>Installs the pinned Node.js ws peer (npm ci from the committed lock file) once for the interop tests.</summary>
public sealed class NodePeerFixture : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "node");

    public async Task InitializeAsync()
    {
        if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "ws")))
        {
            return;
        }

        using Process npm = Start("npm", "ci --no-audit --no-fund");
        Task<string> output = npm.StandardOutput.ReadToEndAsync();
        Task<string> errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed in {Directory} (exit {npm.ExitCode}):\n{await output}\n{await errors}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public Process Start(string fileName, string arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
    }
}

/// <summary>Cross-implementation handoff: a Node.js ws server that writes raw bytes on its socket in the same tick as its final message.</summary>
public sealed class NodeInteropTests : IClassFixture<NodePeerFixture>
{
    private readonly NodePeerFixture _node;

    public NodeInteropTests(NodePeerFixture node) => _node = node;

    [Fact]
    public async Task Detach_from_a_Node_ws_peer_gets_every_raw_byte_and_the_peer_gets_ours()
    {
        using Process server = _node.Start("node", "server.js");
        try
        {
            using JsonDocument listening = await ReadReportAsync(server);
            int port = listening.RootElement.GetProperty("port").GetInt32();

            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port).Within();
            NetworkStream stream = tcp.GetStream();
            await HandshakeAsync(stream, port);

            using HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, TimeSpan.Zero);
            Assert.Equal("hello from ws", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
            Assert.Equal(70000, (await Peers.ReceiveMessageAsync(ws)).Payload.Length);
            Assert.Equal("final", Encoding.UTF8.GetString((await Peers.ReceiveMessageAsync(ws)).Payload));
            await using Stream raw = await ws.DetachAsync().Within();

            using JsonDocument sent = await ReadReportAsync(server);
            int rawLength = sent.RootElement.GetProperty("rawLength").GetInt32();
            byte[] received = await Bounded.ReadExactlyAsync(raw, rawLength);
            Assert.Equal(sent.RootElement.GetProperty("rawSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(received)));

            byte[] back = Frames.RandomBytes(250_000);
            await raw.WriteAsync(back);
            tcp.Client.Shutdown(SocketShutdown.Send);

            using JsonDocument got = await ReadReportAsync(server);
            Assert.Equal(back.Length, got.RootElement.GetProperty("backLength").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(back)), got.RootElement.GetProperty("backSha256").GetString());

            // The peer ends the connection: nothing followed its raw bytes.
            Assert.Empty(await Bounded.ReadToEndAsync(raw));
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
    }

    internal static async Task<JsonDocument> ReadReportAsync(Process server)
    {
        string? line = await server.StandardOutput.ReadLineAsync().WaitAsync(Bounded.Limit);
        if (line is null)
        {
            throw new InvalidOperationException("the Node peer exited early: " + await server.StandardError.ReadToEndAsync());
        }

        JsonDocument report = JsonDocument.Parse(line);
        if (report.RootElement.TryGetProperty("error", out JsonElement error))
        {
            throw new InvalidOperationException("the Node peer failed: " + error.GetString());
        }

        return report;
    }

    /// <summary>The client side of the HTTP upgrade, read byte by byte so that no frame byte is consumed with the headers.</summary>
    private static async Task HandshakeAsync(NetworkStream stream, int port)
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        string request = $"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        var response = new StringBuilder();
        var one = new byte[1];
        while (!response.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one, Bounded.Token());
            response.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", response.ToString());
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        Assert.Contains("Sec-WebSocket-Accept: " + accept, response.ToString());
    }
}
