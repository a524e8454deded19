using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// Bridges, tunnels and "upgrade after an agreed message" protocols written the way such code is usually written:
    /// transports copied into locals, held in fields and read by other members, TLS over a TcpClient's stream, sockets
    /// under a NetworkStream. Each finding is checked, and the versions that are right stay silent for every flow rule.
    /// </summary>
    public class BridgeShapesTests
    {
        private static readonly DiagnosticAnalyzer[] FlowAnalyzers =
        {
            new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer(), new UseAfterDetachAnalyzer(),
        };

        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task A_member_that_copies_the_transport_field_into_a_local_is_reported() => VerifyAsync(@"
sealed class Session
{
    private readonly NetworkStream _stream;
    private WebSocket? _ws;

    public Session(NetworkStream stream) => _stream = stream;

    public void Open() => _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);

    public async Task SendRawAsync(byte[] data, CancellationToken ct)
    {
        var stream = _stream;
        await {|WSH001:stream.WriteAsync(data, ct)|};
        var socket = stream.Socket;
        {|WSH001:socket.Send(data)|};
    }
}");

        [Fact]
        public Task Tls_over_a_TcpClient_and_the_client_stream_copied_after_the_upgrade_message_is_reported() => VerifyAsync(@"
sealed class TlsTunnel
{
    async Task RunAsync(TcpClient client, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, CancellationToken ct)
    {
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(certificate);
        var ws = WebSocket.CreateFromStream(ssl, true, ""tunnel"", TimeSpan.Zero);
        var buffer = new byte[256];
        var message = await ws.ReceiveAsync(buffer, ct);
        if (Encoding.ASCII.GetString(buffer, 0, message.Count) != ""UPGRADE"")
            return;

        var network = client.GetStream();
        await {|WSH001:network.WriteAsync(buffer.AsMemory(0, 2), ct)|};
    }
}");

        [Fact]
        public Task A_hand_written_handshake_on_a_socket_then_raw_sends_on_that_socket_after_the_creation_are_reported() => VerifyAsync(@"
sealed class Upgrader
{
    async Task HandleAsync(Socket socket, CancellationToken ct)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var request = new byte[4096];
        var n = await stream.ReadAsync(request, ct);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n""), ct);
        var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        var tcp = socket;
        var result = await ws.ReceiveAsync(request, ct);
        if (result.MessageType == WebSocketMessageType.Text)
            await {|WSH001:tcp.SendAsync(request.AsMemory(0, result.Count), SocketFlags.None, ct)|};
    }
}");

        // ---- Silent (every flow rule) ----

        public static TheoryData<string, string> SilentShapes() => new TheoryData<string, string>
        {
            { "websockify: WebSocket from the client, raw bytes only on the upstream TcpClient, locals copied", @"
sealed class Websockify
{
    async Task BridgeAsync(Stream clientStream, string host, int port, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(clientStream, true, ""binary"", TimeSpan.FromSeconds(20));
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(host, port, ct);
        var target = upstream.GetStream();
        var toTcp = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            while (true)
            {
                var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
                if (r.MessageType == WebSocketMessageType.Close) break;
                await target.WriteAsync(buffer.AsMemory(0, r.Count), ct);
            }
        });
        var toWs = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            int n;
            while ((n = await target.ReadAsync(buffer, ct)) > 0)
                await ws.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, ct);
        });
        await Task.WhenAny(toTcp, toWs);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}" },
            { "upgrade after an agreed message, done right, the detached stream copied into a local", @"
sealed class Switcher
{
    async Task RunAsync(Stream transport, Stream upstream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(transport, true, null, TimeSpan.FromSeconds(15));
        var buffer = new byte[64];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return;
            }

            if (Encoding.ASCII.GetString(buffer, 0, r.Count) == ""SWITCH"")
                break;
        }

        var raw = await ws.DetachAsync(ct);
        var down = raw;
        await Task.WhenAll(down.CopyToAsync(upstream, ct), upstream.CopyToAsync(down, ct));
    }
}" },
            { "accept loop: the handshake through a copy of each new connection's stream", @"
sealed class Server
{
    async Task RunAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(ct);
            var stream = client.GetStream();
            var handshake = stream;
            var request = new byte[2048];
            _ = await handshake.ReadAsync(request, ct);
            await handshake.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
            _ = EchoAsync(ws, ct);
        }
    }

    static async Task EchoAsync(WebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[1024];
        while (ws.State == WebSocketState.Open)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            await ws.SendAsync(buffer.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, ct);
        }
    }
}" },
            { "a session class whose other members copy another field", @"
sealed class Session
{
    private readonly Stream _transport;
    private readonly Stream _log;
    private WebSocket? _ws;

    public Session(Stream transport, Stream log) { _transport = transport; _log = log; }

    public void Open() => _ws = WebSocket.CreateFromStream(_transport, true, null, TimeSpan.Zero);

    public async Task TraceAsync(byte[] line, CancellationToken ct)
    {
        var log = _log;
        await log.WriteAsync(line, ct);
        await log.FlushAsync(ct);
    }
}" },
            { "a helper of the type that detaches, then only the detached stream is used", @"
sealed class Handoff
{
    async Task RunAsync(HandoffWebSocket ws, Stream upstream, CancellationToken ct)
    {
        await ws.SendAsync(new byte[] { 1 }, WebSocketMessageType.Binary, true, ct);
        var raw = await SwitchAsync(ws, ct);
        await raw.CopyToAsync(upstream, ct);
        ws.Dispose();
    }

    static async Task<Stream> SwitchAsync(HandoffWebSocket socket, CancellationToken ct)
    {
        return await socket.DetachAsync(ct);
    }
}" },
        };

        [Theory]
        [MemberData(nameof(SilentShapes))]
        public async Task Right_versions_are_silent(string shape, string code)
        {
            var source = WSH001Tests.Usings + code;
            var compilation = await AnalyzerRunner.CompileAsync(source);
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, shape + ": " + string.Join("\n", errors));

            foreach (var analyzer in FlowAnalyzers)
            {
                var diagnostics = await AnalyzerRunner.RunAsync(analyzer, source);
                Assert.True(diagnostics.IsEmpty, shape + ": " + string.Join("\n", diagnostics));
            }
        }
    }
}
