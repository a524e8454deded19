using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>WSH002 for closes inside lambdas and local functions that run after a raw use or a detach.</summary>
    public class ClosureCloseTests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task A_close_in_a_lambda_created_after_a_raw_use_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(b, ct);
        Func<Task> close = () => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
        await close();
    }
}");

        [Fact]
        public Task A_close_in_a_local_function_called_after_a_raw_use_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(b, ct);
        await ShutdownAsync();

        async Task ShutdownAsync()
        {
            try { await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, ""bye"", ct)|}; }
            catch (WebSocketException) { }
        }
    }
}");

        [Fact]
        public Task A_close_in_a_lambda_made_before_the_raw_use_and_called_after_it_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Func<Task> close = () => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
        await stream.WriteAsync(b, ct);
        await close();
    }
}");

        [Fact]
        public Task A_close_in_a_continuation_after_a_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await ws.DetachAsync(ct);
        await Task.Run(async () => await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|});
    }
}");

        // ---- Silent ----

        [Fact]
        public Task A_close_in_a_lambda_on_a_path_without_the_raw_use_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, bool upgrade, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (upgrade)
        {
            await stream.WriteAsync(b, ct);
            return;
        }

        Func<Task> close = () => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        await close();
    }
}");

        [Fact]
        public Task A_close_in_a_local_function_called_before_the_raw_use_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream other, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await CloseAsync();
        await other.WriteAsync(b, ct);

        Task CloseAsync() => ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}");

        [Fact]
        public Task Dispose_in_a_lambda_after_an_awaited_raw_use_of_a_local_transport_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(byte[] b, CancellationToken ct)
    {
        var stream = new MemoryStream();
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(b, ct);
        Action dispose = () => ws.Dispose();
        dispose();
    }
}");

        [Fact]
        public Task A_close_of_another_WebSocket_in_a_lambda_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, WebSocket client, byte[] b, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(b, ct);
        Func<Task> close = () => client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        await close();
    }
}");
    }
}
