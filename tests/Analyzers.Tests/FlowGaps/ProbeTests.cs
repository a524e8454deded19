using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Rules;
using WebSocketHandoff.Analyzers.Tests.Rules;
using WebSocketHandoff.Analyzers.Tests.Verifiers;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    public class ProbeTests
    {
        private static Task Raw(string code) => HandoffAnalyzerVerifier<RawTransportUseAnalyzer>.VerifyAsync(WSH001Tests.Usings + code);
        private static Task Close(string code) => HandoffAnalyzerVerifier<CloseDuringHandoffAnalyzer>.VerifyAsync(WSH001Tests.Usings + code);
        private static Task Use(string code) => HandoffAnalyzerVerifier<UseAfterDetachAnalyzer>.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task P1_copy_after_creation() => Raw(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var s2 = stream;
        await {|WSH001:s2.WriteAsync(b, ct)|};
    }
}");

        [Fact]
        public Task P2_close_in_lambda_after_raw_use() => Close(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(b, ct);
        Func<Task> f = () => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
        await f();
    }
}");

        [Fact]
        public Task P3_close_in_local_function_after_raw_use() => Close(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(b, ct);
        await CloseIt();
        Task CloseIt() => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
}");

        [Fact]
        public Task P4_send_after_local_function_detach() => Use(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var raw = await Switch();
        await {|WSH005:ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
        async Task<Stream> Switch() => await ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task P5_send_after_helper_detach_no_name() => Use(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var raw = await SwitchAsync(ws, ct);
        await {|WSH005:ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }

    static ValueTask<Stream> SwitchAsync(HandoffWebSocket ws, CancellationToken ct) => ws.DetachAsync(ct);
}");

        [Fact]
        public Task P6_close_after_local_function_detach() => Close(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var raw = await Switch();
        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
        async Task<Stream> Switch() => await ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task P7_raw_after_delegate_detach() => Raw(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Func<ValueTask<Stream>> sw = () => ws.DetachAsync(ct);
        var raw = await sw();
        await stream.WriteAsync(b, ct);
    }
}");
    }
}
