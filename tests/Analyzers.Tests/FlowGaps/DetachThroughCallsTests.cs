using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using WebSocketHandoff.Analyzers.Tests.Verifiers;
using Close = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>;
using Raw = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;
using Use = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.UseAfterDetachAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// A detach that happens in a local function, in a lambda called through the local it is stored in, or in a helper
    /// method of the type called by a member that names no detach itself.
    /// </summary>
    public class DetachThroughCallsTests
    {
        private static Task UseAsync(string code) => Use.VerifyAsync(WSH001Tests.Usings + code);

        private static Task CloseAsync(string code) => Close.VerifyAsync(WSH001Tests.Usings + code);

        private static Task RawAsync(string code) => Raw.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task A_send_after_an_awaited_local_function_that_detaches_is_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var raw = await SwitchAsync();
        await {|WSH005:ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};

        async Task<Stream> SwitchAsync()
        {
            await ws.SendAsync(b, WebSocketMessageType.Text, true, ct);
            return await ws.DetachAsync(ct);
        }
    }
}");

        [Fact]
        public Task A_receive_after_a_local_function_called_by_a_local_function_that_detaches_is_reported() => UseAsync(@"
class C
{
    void M(HandoffWebSocket ws, byte[] b)
    {
        Outer();
        {|WSH005:ws.ReceiveAsync(b, default)|}.GetAwaiter().GetResult();

        void Outer() => Inner();
        void Inner() => ws.Detach();
    }
}");

        [Fact]
        public Task A_close_after_an_awaited_local_function_that_detaches_is_reported() => CloseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await SwitchAsync();
        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};

        async Task<Stream> SwitchAsync() => await ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task A_send_after_a_lambda_called_through_its_local_that_detaches_is_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        Func<ValueTask<Stream>> detach = () => ws.DetachAsync(ct);
        var raw = await detach();
        await {|WSH005:ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }
}");

        [Fact]
        public Task A_send_in_a_member_that_only_calls_a_detaching_helper_of_the_type_is_reported() => UseAsync(@"
class C
{
    async Task RunAsync(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        await ws.SendAsync(b, WebSocketMessageType.Text, true, ct);
        var raw = await SwitchAsync(ws, ct);
        await {|WSH005:ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }

    static ValueTask<Stream> SwitchAsync(HandoffWebSocket socket, CancellationToken ct) => socket.DetachAsync(ct);
}");

        [Fact]
        public Task A_close_in_a_member_that_only_calls_a_detaching_helper_of_the_type_is_reported() => CloseAsync(@"
class C
{
    async Task RunAsync(HandoffWebSocket ws, CancellationToken ct)
    {
        var raw = await SwitchAsync(ws, ct);
        await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }

    static async Task<Stream> SwitchAsync(HandoffWebSocket socket, CancellationToken ct)
    {
        Console.WriteLine(""switching"");
        return await socket.DetachAsync(ct);
    }
}");

        [Fact]
        public Task A_raw_use_before_a_lambda_made_before_the_creation_is_called_after_it_is_reported() => RawAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        Func<Task> flush = () => {|WSH001:stream.FlushAsync(ct)|};
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await flush();
    }
}");

        [Fact]
        public Task A_send_on_a_field_after_a_method_of_the_type_that_detaches_that_field_is_reported() => UseAsync(@"
sealed class Connection
{
    private readonly HandoffWebSocket _ws;

    public Connection(Stream stream) => _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));

    private async Task<Stream> UpgradeAsync(CancellationToken ct) => await _ws.DetachAsync(ct);

    public async Task RunAsync(byte[] b, CancellationToken ct)
    {
        var raw = await UpgradeAsync(ct);
        await {|WSH005:_ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }
}");

        [Fact]
        public Task A_send_after_an_awaited_Task_Run_whose_lambda_detaches_is_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var raw = await Task.Run(async () => await ws.DetachAsync(ct));
        await {|WSH005:ws.SendAsync(b, WebSocketMessageType.Binary, true, ct)|};
    }
}");

        [Fact]
        public Task A_method_that_detaches_a_nullable_field_with_a_suppression_counts_as_its_detach() => UseAsync(@"
sealed class Connection
{
    private HandoffWebSocket? _ws;

    public void Open(Stream stream) => _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));

    private ValueTask<Stream> UpgradeAsync(CancellationToken ct) => _ws!.DetachAsync(ct);

    public async Task RunAsync(byte[] b, CancellationToken ct)
    {
        await UpgradeAsync(ct);
        await {|WSH005:_ws!.ReceiveAsync(b, ct)|};
    }
}");

        // ---- Silent ----

        [Fact]
        public Task A_raw_use_after_an_awaited_Task_Run_whose_lambda_detaches_is_not_reported() => RawAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await Task.Run(async () => await ws.DetachAsync(ct));
        await stream.WriteAsync(b, ct);
    }
}");

        [Fact]
        public Task A_send_after_a_Task_Run_that_detaches_and_is_not_awaited_is_not_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var pending = Task.Run(async () => await ws.DetachAsync(ct));
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
        await pending;
    }
}");

        [Fact]
        public Task A_raw_use_of_the_field_transport_after_a_method_of_the_type_that_detaches_the_field_is_not_reported() => RawAsync(@"
sealed class Connection
{
    private readonly Stream _stream;
    private readonly HandoffWebSocket _ws;

    public Connection(Stream stream)
    {
        _stream = stream;
        _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));
    }

    private async Task<Stream> UpgradeAsync(CancellationToken ct) => await _ws.DetachAsync(ct);

    public async Task PumpAsync(byte[] b, CancellationToken ct)
    {
        var raw = await UpgradeAsync(ct);
        await _stream.WriteAsync(b, ct);
    }

    public async Task EarlyAsync(byte[] b, CancellationToken ct)
    {
        await {|WSH001:_stream.FlushAsync(ct)|};
    }
}");

        [Fact]
        public Task A_method_that_detaches_a_local_of_the_same_name_as_the_field_is_not_a_detach_of_the_field() => UseAsync(@"
sealed class Connection
{
    private readonly HandoffWebSocket _ws;

    public Connection(Stream stream) => _ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));

    private static async Task<Stream> OtherAsync(Stream s, CancellationToken ct)
    {
        var _ws = HandoffWebSocket.CreateFromStream(s, true, null, TimeSpan.Zero);
        return await _ws.DetachAsync(ct);
    }

    public async Task RunAsync(Stream s, byte[] b, CancellationToken ct)
    {
        var raw = await OtherAsync(s, ct);
        await _ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
    }
}");

        [Fact]
        public Task A_raw_use_after_a_lambda_called_through_its_local_that_detaches_is_not_reported() => RawAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Func<ValueTask<Stream>> detach = () => ws.DetachAsync(ct);
        var raw = await detach();
        await stream.WriteAsync(b, ct);
    }
}");

        [Fact]
        public Task A_delegate_local_assigned_twice_is_not_taken_for_either_lambda() => RawAsync(@"
class C
{
    async Task M(Stream stream, byte[] b, bool later, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        Func<Task> step = () => Task.CompletedTask;
        if (later) step = () => Task.Delay(1);
        await step();
        var raw = await ws.DetachAsync(ct);
        await raw.WriteAsync(b, ct);
    }
}");

        [Fact]
        public Task A_send_after_a_lambda_that_detaches_but_is_not_called_is_not_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        Func<ValueTask<Stream>> onUpgrade = () => ws.DetachAsync(ct);
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);
        Register(onUpgrade);
    }

    static void Register(Func<ValueTask<Stream>> callback) { }
}");

        [Fact]
        public Task A_send_after_an_async_local_function_that_detaches_and_is_not_awaited_is_not_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        var pending = SwitchAsync();
        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);

        async Task<Stream> SwitchAsync()
        {
            await Task.Delay(10, ct);
            return await ws.DetachAsync(ct);
        }
    }
}");

        [Fact]
        public Task A_send_after_a_branch_that_calls_a_detaching_local_function_and_returns_is_not_reported() => UseAsync(@"
class C
{
    async Task M(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        if (b.Length == 0)
        {
            await SwitchAsync();
            return;
        }

        await ws.SendAsync(b, WebSocketMessageType.Binary, true, ct);

        async Task SwitchAsync() => await ws.DetachAsync(ct);
    }
}");

        [Fact]
        public Task Sends_before_the_call_of_a_detaching_helper_and_a_helper_that_detaches_conditionally_are_not_reported() => UseAsync(@"
class C
{
    async Task RunAsync(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        await ws.SendAsync(b, WebSocketMessageType.Text, true, ct);
        var raw = await SwitchAsync(ws, ct);
    }

    async Task OtherAsync(HandoffWebSocket ws, byte[] b, CancellationToken ct)
    {
        await MaybeSwitchAsync(ws, b, ct);
        await ws.SendAsync(b, WebSocketMessageType.Text, true, ct);
    }

    static ValueTask<Stream> SwitchAsync(HandoffWebSocket socket, CancellationToken ct) => socket.DetachAsync(ct);

    static async Task MaybeSwitchAsync(HandoffWebSocket socket, byte[] b, CancellationToken ct)
    {
        if (b.Length == 0) await socket.DetachAsync(ct);
    }
}");
    }
}
