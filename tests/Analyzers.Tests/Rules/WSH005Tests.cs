using System.Linq;
using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH005Tests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task Code_as_it_is_typed_never_makes_the_analyzer_throw() =>
            Verify.AssertNoExceptionOnTruncationsAsync(WSH001Tests.TruncationSample, step: 29);

        [Fact]
        public Task Send_after_a_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await ws.DetachAsync(ct);
        await {|WSH005:ws.SendAsync(data, WebSocketMessageType.Binary, true, ct)|};
    }
}");

        [Fact]
        public Task Receive_reached_by_the_loop_back_edge_after_a_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task<Stream?> M(HandoffWebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[1024];
        Stream? raw = null;
        while (true)
        {
            var result = await {|WSH005:ws.ReceiveAsync(buffer, ct)|};
            if (result.Count == 7)
            {
                raw = await ws.DetachAsync(ct);
            }
        }
    }
}");

        [Fact]
        public Task Send_after_a_detach_on_one_branch_is_reported() => VerifyAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] data, bool upgrade)
    {
        if (upgrade)
        {
            ws.Detach();
        }

        await {|WSH005:ws.SendAsync(data, WebSocketMessageType.Text, true, default)|};
    }
}");

        [Fact]
        public Task Leaving_the_loop_after_the_detach_is_not_reported() => VerifyAsync(@"
class C
{
    async Task<Stream> M(HandoffWebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[1024];
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer, ct);
            if (result.Count == 7)
            {
                return await ws.DetachAsync(ct);
            }

            await ws.SendAsync(new ArraySegment<byte>(buffer, 0, result.Count), result.MessageType, true, ct);
        }
    }
}");

        [Fact]
        public Task Calls_before_the_detach_and_on_a_new_WebSocket_are_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream a, Stream b, byte[] data)
    {
        var ws = HandoffWebSocket.CreateFromStream(a, true, null, TimeSpan.Zero);
        await ws.SendAsync(data, WebSocketMessageType.Binary, true, default);
        var raw = await ws.SendAndDetachAsync(data, WebSocketMessageType.Binary);
        ws = HandoffWebSocket.CreateFromStream(b, true, null, TimeSpan.Zero);
        await ws.ReceiveAsync(data, default);
    }
}");

        [Fact]
        public Task Calls_guarded_by_IsDetached_are_not_reported() => VerifyAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] data, bool upgrade)
    {
        if (upgrade)
            ws.Detach();

        if (!ws.IsDetached)
            await ws.SendAsync(data, WebSocketMessageType.Text, true, default);

        if (ws.IsDetached)
            return;

        await ws.ReceiveAsync(data, default);
    }
}");

        [Fact]
        public Task Close_after_a_detach_is_not_WSH005() => VerifyAsync(@"
class C
{
    async Task M(HandoffWebSocket ws)
    {
        await ws.DetachAsync();
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
    }
}");

        [Fact]
        public Task Broken_code_does_not_crash_the_analyzer() => Verify.VerifyBrokenCodeAsync(WSH001Tests.Usings + @"
class C
{
    async Task M(HandoffWebSocket ws)
    {
        while (
        await ws.DetachAsync(;
        ws.SendAsync(
");

        [Fact]
        public async Task Diagnostic_points_at_the_detach()
        {
            var source = WSH001Tests.Usings + @"
class C
{
    async Task M(HandoffWebSocket ws, byte[] data)
    {
        var raw = ws.Detach();
        await ws.SendAsync(data, WebSocketMessageType.Binary, true, default);
    }
}";
            var diagnostic = (await Verify.GetDiagnosticsAsync(source)).Single();
            var detach = diagnostic.AdditionalLocations.Single();
            Assert.Equal("ws.Detach()", source.Substring(detach.SourceSpan.Start, detach.SourceSpan.Length));
        }
    }
}
