using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.Analyzers.Tests.Rules;

namespace WebSocketHandoff.Analyzers.Tests
{
    /// <summary>
    /// Server and client code as it is written outside tests — accept loops, reconnect loops, TLS, websockify-style
    /// bridges — that uses its transport only before the WebSocket exists, or uses another stream: no flow rule may report
    /// it. Loops matter here: the next iteration's handshake reads a new transport, not the one the last WebSocket owns.
    /// </summary>
    public class RealWorldShapesTests
    {
        private static readonly DiagnosticAnalyzer[] FlowAnalyzers =
        {
            new RawTransportUseAnalyzer(), new CloseDuringHandoffAnalyzer(), new KeepAliveOnHandoffAnalyzer(), new UseAfterDetachAnalyzer(),
            new NonAtomicFinalSendAnalyzer(),
        };

        public static TheoryData<string, string> SilentShapes() => new TheoryData<string, string>
        {
            { "accept loop: inline handshake, then a WebSocket per connection", @"
class Server
{
    async Task RunAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(ct);
            var stream = client.GetStream();
            var request = new byte[4096];
            int n = await stream.ReadAsync(request, ct);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
            var ws = WebSocket.CreateFromStream(stream, isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.FromSeconds(30));
            _ = Task.Run(() => EchoAsync(ws, ct));
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
            { "reconnect loop: a new TcpClient each time, request written raw before the WebSocket", @"
class Client
{
    async Task RunAsync(string host, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, 80, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(""GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n""), ct);
            var response = new byte[1024];
            await stream.ReadAsync(response, ct);
            using var ws = WebSocket.CreateFromStream(stream, false, null, TimeSpan.FromSeconds(15));
            await ws.SendAsync(Encoding.UTF8.GetBytes(""hello"").AsMemory(), WebSocketMessageType.Text, true, ct);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
    }
}" },
            { "TLS server: authenticate, read the request through the SslStream, then the WebSocket", @"
class TlsServer
{
    async Task ServeAsync(TcpClient client, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, CancellationToken ct)
    {
        using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsServerAsync(certificate);
        var request = new byte[4096];
        await tls.ReadAsync(request, ct);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
        using var ws = WebSocket.CreateFromStream(tls, true, null, TimeSpan.FromSeconds(30));
        var buffer = new byte[256];
        await ws.ReceiveAsync(buffer.AsMemory(), ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}" },
            { "websockify-style bridge: WebSocket on one connection, raw bytes on another", @"
class Bridge
{
    async Task BridgeAsync(Stream browser, TcpClient backend, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(browser, true, null, TimeSpan.FromSeconds(20));
        var target = backend.GetStream();
        var buffer = new byte[4096];
        var pump = Task.Run(async () =>
        {
            var inbound = new byte[4096];
            int n;
            while ((n = await target.ReadAsync(inbound, ct)) > 0)
            {
                await ws.SendAsync(inbound.AsMemory(0, n), WebSocketMessageType.Binary, true, ct);
            }
        });
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(), ct);
            if (r.MessageType == WebSocketMessageType.Close) break;
            await target.WriteAsync(buffer.AsMemory(0, r.Count), ct);
        }
        await pump;
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}" },
            { "handoff done right in a loop of connections", @"
class Tunnels
{
    async Task RunAsync(TcpListener listener, Stream upstream, CancellationToken ct)
    {
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync(ct);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 1 }, ct);
            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
            await ws.ReceiveAsync(new byte[16].AsMemory(), ct);
            var raw = await ws.DetachAsync(ct);
            await raw.CopyToAsync(upstream, ct);
        }
    }
}" },
        };

        [Theory]
        [MemberData(nameof(SilentShapes))]
        public async Task Ordinary_code_is_silent(string shape, string code)
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
