using System.Threading.Tasks;
using Verify2 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>;
using Verify3 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>;
using Verify5 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>;
using Verify6 = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.NonAtomicFinalSendAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Review
{
    /// <summary>Review: WSH002, WSH003, WSH005, WSH006 over real-world shapes.</summary>
    public class ReviewCloseKeepAliveTests
    {
        // ---- WSH002 ----

        [Fact]
        public Task WSH002_using_statement_ending_while_a_copy_is_started_and_not_awaited() => Verify2.VerifyAsync(ReviewSources.Usings + @"
class NA
{
    async Task Run(Stream s, Stream dest, CancellationToken ct)
    {
        {|WSH002:using|} (var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero))
        {
            var r = await ws.ReceiveAsync(new byte[10], ct);
            _ = s.CopyToAsync(dest, ct);
        }
    }
    async Task Run2(Stream s, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        var copy = s.CopyToAsync(Stream.Null, ct);
        {|WSH002:ws.Abort()|};
        {|WSH002:ws.Dispose()|};
        await copy;
    }
}");

        [Fact]
        public Task WSH002_using_declaration_when_the_transport_escapes_to_a_field_or_the_caller() => Verify2.VerifyAsync(ReviewSources.Usings + @"
class E
{
    private Stream? _saved;
    async Task Run(TcpClient client, CancellationToken ct)
    {
        var s = client.GetStream();
        {|WSH002:using|} var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(new byte[1], ct);
        await s.WriteAsync(new byte[1], ct);
        _saved = s;
    }
    async Task<Stream> Run2(Stream s, CancellationToken ct)
    {
        {|WSH002:using|} (var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero))
        {
            await ws.ReceiveAsync(new byte[1], ct);
            await s.FlushAsync(ct);
        }
        return s;
    }
}");

        [Fact]
        public Task WSH002_close_after_a_detach_or_after_a_raw_use() => Verify2.VerifyAsync(ReviewSources.Usings + @"
class CD
{
    async Task Run(Stream s, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        var raw = await ws.DetachAsync(ct);
        await raw.WriteAsync(new byte[1], ct);
        await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
    async Task Run2(Stream s, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await s.WriteAsync(new byte[1], ct);
        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
}");

        [Fact]
        public Task WSH002_silent_for_awaited_raw_use_with_using_handoff_dispose_after_detach_and_close_after_handshake() => Verify2.VerifyAsync(ReviewSources.Usings + @"
class BU
{
    async Task Run(Stream s, CancellationToken ct)
    {
        using var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(new byte[10], ct);
        await s.WriteAsync(new byte[1], ct);
    }
    async Task<Stream> Run2(Stream s, CancellationToken ct)
    {
        using var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(30));
        var r = await ws.ReceiveAsync(new byte[10], ct);
        var raw = await ws.DetachAsync(ct);
        await raw.WriteAsync(new byte[1], ct);
        ws.Dispose();
        return raw;
    }
    async Task Run3(Stream s, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes(""HTTP/1.1 101 Switching Protocols\r\n\r\n""), ct);
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(new byte[10], ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        ws.Dispose();
    }
    async Task Run4(TcpClient client, CancellationToken ct)
    {
        using (var stream = client.GetStream())
        using (var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30)))
        {
            await ws.ReceiveAsync(new byte[1], ct);
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
    }
}");

        // ---- WSH003 ----

        [Fact]
        public Task WSH003_keep_alive_from_a_static_options_object_a_variable_a_later_assignment_or_the_default_interval() => Verify3.VerifyAsync(ReviewSources.Usings + @"
class KA
{
    static readonly WebSocketCreationOptions Opts = new() { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) };
    async Task A(Stream s) { var ws = {|WSH003:WebSocket.CreateFromStream(s, Opts)|}; await s.WriteAsync(new byte[1]); }
    async Task D(Stream s, TimeSpan k) { var ws = {|WSH003:WebSocket.CreateFromStream(s, true, null, k)|}; await s.WriteAsync(new byte[1]); }
    async Task E(Stream s) { var o = new WebSocketCreationOptions { IsServer = true }; o.KeepAliveInterval = TimeSpan.FromSeconds(5); var ws = {|WSH003:WebSocket.CreateFromStream(s, o)|}; await s.WriteAsync(new byte[1]); }
    async Task I(Stream s) { var ws = {|WSH003:WebSocket.CreateFromStream(s, true, null, WebSocket.DefaultKeepAliveInterval)|}; await s.WriteAsync(new byte[1]); }
}");

        [Fact]
        public Task WSH003_silent_when_keep_alive_is_provably_off() => Verify3.VerifyAsync(ReviewSources.Usings + @"
class KA
{
    async Task B(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(0)); await s.WriteAsync(new byte[1]); }
    async Task C(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, default); await s.WriteAsync(new byte[1]); }
    async Task F(Stream s) { var ws = WebSocket.CreateFromStream(s, new WebSocketCreationOptions { IsServer = true }); await s.WriteAsync(new byte[1]); }
    async Task G(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, Timeout.InfiniteTimeSpan); await s.WriteAsync(new byte[1]); }
    async Task H(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromMilliseconds(0)); await s.WriteAsync(new byte[1]); }
    async Task J(Stream s) { var ws = WebSocket.CreateFromStream(s, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero }); await s.WriteAsync(new byte[1]); }
    async Task K(Stream s) { const int secs = 0; var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(secs)); await s.WriteAsync(new byte[1]); }
    async Task L(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, new TimeSpan(0)); await s.WriteAsync(new byte[1]); }
    async Task M(Stream s) { var ws = WebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(30)); await ws.ReceiveAsync(new byte[1], default); }
    async Task N(Stream s) { var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(30)); await s.WriteAsync(new byte[1]); }
}");

        // ---- WSH005 ----

        [Fact]
        public Task WSH005_receive_on_the_loop_back_edge_and_send_after_a_conditional_detach() => Verify5.VerifyAsync(ReviewSources.Usings + @"
class W5
{
    async Task Run(Stream s, byte[] buf, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        while (true)
        {
            var r = await {|WSH005:ws.ReceiveAsync(buf, ct)|};
            if (r.Count == 1) await ws.DetachAsync(ct);
        }
    }
    async Task Run2(Stream s, byte[] buf, bool f, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        if (f) ws.Detach();
        await {|WSH005:ws.SendAsync(buf, WebSocketMessageType.Binary, true, ct)|};
    }
}");

        [Fact]
        public Task WSH005_silent_when_the_loop_is_left_right_after_the_detach() => Verify5.VerifyAsync(ReviewSources.Usings + @"
class W5
{
    async Task Run3(Stream s, byte[] buf, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        foreach (var x in new[] { 1, 2 })
        {
            await ws.SendAsync(buf, WebSocketMessageType.Binary, true, ct);
            if (x == 2) { var raw = await ws.DetachAsync(ct); await raw.WriteAsync(buf, ct); break; }
        }
    }
}");

        // ---- WSH006 ----

        [Fact]
        public Task WSH006_final_send_then_detach_with_only_logging_between_and_the_flags_overload() => Verify6.VerifyAsync(ReviewSources.Usings + @"
class W6
{
    async Task<Stream> A(HandoffWebSocket ws, byte[] m, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(m, WebSocketMessageType.Text, true, ct)|};
        Console.WriteLine(""switching"");
        return await ws.DetachAsync(ct);
    }
    async Task<Stream> B(Stream s, byte[] m, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.FromSeconds(1));
        await {|WSH006:ws.SendAsync(new ArraySegment<byte>(m), WebSocketMessageType.Binary, endOfMessage: true, ct)|};
        var raw = ws.Detach();
        return raw;
    }
    async Task<Stream> E(HandoffWebSocket ws, byte[] m, CancellationToken ct)
    {
        await {|WSH006:ws.SendAsync(m, WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, ct)|};
        return await ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task WSH006_silent_for_partial_message_receive_between_or_another_socket() => Verify6.VerifyAsync(ReviewSources.Usings + @"
class W6
{
    async Task<Stream> C(HandoffWebSocket ws, byte[] m, CancellationToken ct)
    {
        await ws.SendAsync(m, WebSocketMessageType.Text, false, ct);
        return await ws.DetachAsync(ct);
    }
    async Task<Stream> D(HandoffWebSocket ws, byte[] m, CancellationToken ct)
    {
        await ws.SendAsync(m, WebSocketMessageType.Text, true, ct);
        await ws.ReceiveAsync(m, ct);
        return await ws.DetachAsync(ct);
    }
    async Task<Stream> F(WebSocket ws0, HandoffWebSocket ws, byte[] m, CancellationToken ct)
    {
        await ws0.SendAsync(m, WebSocketMessageType.Text, true, ct);
        return await ws.DetachAsync(ct);
    }
}");
    }
}
