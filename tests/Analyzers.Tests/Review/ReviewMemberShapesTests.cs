using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;
using Verify3 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>;
using Verify4 = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;
using Verify5 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>;
using Verify6 = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>Review: connection classes with the transport in a field, helpers around the creation, reflection by name.</summary>
    public class ReviewMemberShapesTests
    {
        [Fact]
        public Task Private_handshake_helper_called_before_the_creation_is_silent() => Verify.VerifyAsync(ReviewSources.Usings + @"
sealed class WsConnection
{
    private readonly NetworkStream _stream;
    private WebSocket? _ws;
    public WsConnection(TcpClient c) { _stream = c.GetStream(); }
    private async Task<bool> HandshakeAsync(CancellationToken ct)
    {
        var buf = new byte[4096];
        var n = await _stream.ReadAsync(buf, ct);
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
        return n > 0;
    }
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await HandshakeAsync(ct)) return;
        _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(30));
        var buf = new byte[1024];
        while (_ws.State == WebSocketState.Open)
        {
            var r = await _ws.ReceiveAsync(buf, ct);
            if (r.MessageType == WebSocketMessageType.Close) break;
            await _ws.SendAsync(buf.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, ct);
        }
    }
}");

        [Fact]
        public Task Response_helper_called_after_the_creation_is_reported_with_keep_alive() => Verify.VerifyAsync(ReviewSources.Usings + @"
sealed class WsConnection2
{
    private readonly NetworkStream _stream;
    private WebSocket? _ws;
    public WsConnection2(TcpClient c) { _stream = c.GetStream(); }
    private Task WriteResponseAsync(CancellationToken ct) => {|WSH001:_stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct)|}.AsTask();
    public async Task RunAsync(CancellationToken ct)
    {
        _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(30));
        await WriteResponseAsync(ct);
        await _ws.ReceiveAsync(new byte[1], ct);
    }
}");

        [Fact]
        public Task WSH003_on_a_creation_whose_field_transport_is_written_by_a_helper_after_it() => Verify3.VerifyAsync(ReviewSources.Usings + @"
sealed class WsConnection2
{
    private readonly NetworkStream _stream;
    private WebSocket? _ws;
    public WsConnection2(TcpClient c) { _stream = c.GetStream(); }
    private Task WriteResponseAsync(CancellationToken ct) => _stream.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct).AsTask();
    public async Task RunAsync(CancellationToken ct)
    {
        _ws = {|WSH003:WebSocket.CreateFromStream(_stream, true, null, TimeSpan.FromSeconds(30))|};
        await WriteResponseAsync(ct);
        await _ws.ReceiveAsync(new byte[1], ct);
    }
}");

        [Fact]
        public Task Static_handshake_helper_taking_the_stream_and_a_send_lock_are_silent() => Verify.VerifyAsync(ReviewSources.Usings + @"
static class Http
{
    public static async Task WriteSwitchingProtocolsAsync(Stream s, CancellationToken ct) => await s.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101\r\n\r\n""), ct);
}
class C
{
    async Task Run(Stream s, CancellationToken ct)
    {
        await Http.WriteSwitchingProtocolsAsync(s, ct);
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(30));
        await ws.ReceiveAsync(new byte[1], ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}
class Locked
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Stream _stream;
    private readonly WebSocket _ws;
    public Locked(Stream s) { _stream = s; _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero); }
    public async Task SendAsync(byte[] b, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { await _ws.SendAsync(b, WebSocketMessageType.Binary, true, ct); }
        finally { _gate.Release(); }
    }
    public void Close() { _ws.Abort(); _stream.Dispose(); }
}");

        [Fact]
        public Task WSH004_type_names_from_constants_concatenation_and_Assembly_Load_and_runtime_field_enumeration() => Verify4.VerifyAsync(ReviewSources.Usings + @"
class J
{
    const string Name = ""System.Net.WebSockets.ManagedWebSocket"";
    void A()
    {
        var a = {|WSH004:Type.GetType(Name)|};
        var b = {|WSH004:Assembly.Load(""System.Net.WebSockets"").GetType(""System.Net.WebSockets.ManagedWebSocket"")|};
        var mwsType = {|WSH004:typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.ManagedWebSocket"")|}!;
        var ctor = {|WSH004:mwsType.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, new[] { typeof(Stream), typeof(bool), typeof(string), typeof(TimeSpan) }, null)|};
        var f = {|WSH004:typeof(ClientWebSocket).GetRuntimeFields()|};
        var d = Type.GetType(""System.Net.WebSockets.WebSocketCloseStatus"");
        var e = typeof(WebSocket).Assembly.GetType(""System.Net.WebSockets.WebSocketState"");
    }
}");

        [Fact]
        public Task WSH005_silent_when_the_detach_branch_returns_out_of_the_receive_loop() => Verify5.VerifyAsync(ReviewSources.Usings + @"
class E
{
    async Task Run(HandoffWebSocket ws, byte[] buf, CancellationToken ct)
    {
        while (true)
        {
            var r = await ws.ReceiveAsync(buf, ct);
            if (r.Count == 0) { var raw = await ws.DetachAsync(ct); await raw.WriteAsync(buf, ct); return; }
            await ws.SendAsync(buf.AsMemory(0, r.Count), WebSocketMessageType.Text, true, ct);
        }
    }
}");

        [Fact]
        public Task WSH006_silent_when_the_final_send_and_the_detach_are_on_different_sockets() => Verify6.VerifyAsync(ReviewSources.Usings + @"
class E
{
    async Task<Stream> Run(HandoffWebSocket a, HandoffWebSocket b, byte[] m, CancellationToken ct)
    {
        await a.SendAsync(m, WebSocketMessageType.Text, true, ct);
        return await b.DetachAsync(ct);
    }
}");
    }
}
