using System.Linq;
using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.CloseDuringHandoffAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH002Tests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task Code_as_it_is_typed_never_makes_the_analyzer_throw() =>
            Verify.AssertNoExceptionOnTruncationsAsync(WSH001Tests.TruncationSample, step: 29);

        [Fact]
        public Task CloseAsync_after_a_detach_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(10));
        var raw = await ws.DetachAsync(ct);
        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
}");

        [Fact]
        public Task CloseOutputAsync_after_a_raw_use_of_a_BCL_WebSocket_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(data, ct);
        await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
}");

        [Fact]
        public Task Close_on_a_HandoffWebSocket_parameter_after_a_detach_in_a_loop_is_reported() => VerifyAsync(@"
class C
{
    async Task RunAsync(HandoffWebSocket ws, byte[] buffer, CancellationToken ct)
    {
        Stream? raw = null;
        for (var i = 0; i < 2; i++)
        {
            if (i == 1)
                raw = await ws.DetachAsync(ct);
        }

        await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
    }
}");

        [Fact]
        public Task Dispose_while_a_raw_copy_still_runs_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream other)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var pump = stream.CopyToAsync(other);
        {|WSH002:ws.Dispose()|};
        await pump;
    }
}");

        [Fact]
        public Task Abort_after_a_raw_use_of_a_transport_held_in_a_field_is_reported() => VerifyAsync(@"
class C
{
    private readonly Stream _stream = new MemoryStream();

    async Task M(byte[] data)
    {
        var ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);
        await _stream.WriteAsync(data);
        {|WSH002:ws.Abort()|};
    }
}");

        [Fact]
        public Task End_of_using_while_a_raw_pump_runs_in_a_lambda_is_reported() => VerifyAsync(@"
class C
{
    Task M(Stream stream, Stream other)
    {
        {|WSH002:using|} var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        return Task.Run(() => stream.CopyToAsync(other));
    }
}");

        [Fact]
        public Task End_of_using_statement_when_the_transport_escapes_is_reported() => VerifyAsync(@"
class C
{
    Stream M(Stream stream, byte[] data)
    {
        {|WSH002:using|} (var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero))
        {
            stream.Write(data, 0, data.Length);
        }

        return stream;
    }
}");

        [Fact]
        public Task Dispose_after_an_awaited_raw_use_of_a_local_transport_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(data);
        ws.Dispose();
    }
}");

        [Fact]
        public Task End_of_using_after_an_awaited_raw_use_and_an_unrelated_lambda_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(TcpClient client, Stream other, byte[] data)
    {
        using var ws = WebSocket.CreateFromStream(client.GetStream(), true, null, TimeSpan.Zero);
        await client.GetStream().WriteAsync(data);
        Func<Task> later = () => other.FlushAsync();
        await later();
    }
}");

        [Fact]
        public Task Dispose_after_raw_uses_that_completed_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream other, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await Task.WhenAll(stream.CopyToAsync(other), other.CopyToAsync(stream));
        stream.FlushAsync().Wait();
        var pending = stream.WriteAsync(data, 0, 1);
        Console.WriteLine();
        await pending;
        var flushing = stream.FlushAsync();
        flushing.Wait();
        stream.WriteAsync(data, 0, 1).GetAwaiter().GetResult();
        await stream.ReadAsync(data, 0, 1).ConfigureAwait(false);
        ws.Dispose();
    }
}");

        [Fact]
        public Task Dispose_after_WhenAny_leaves_a_raw_copy_running_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, Stream other)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await Task.WhenAny(stream.CopyToAsync(other), other.CopyToAsync(stream));
        {|WSH002:ws.Dispose()|};
    }
}");

        [Fact]
        public Task Closes_in_other_members_of_a_type_holding_the_transport_are_reported() => VerifyAsync(@"
class Connection
{
    private readonly Stream _stream = new MemoryStream();
    private WebSocket? _ws;
    private HandoffWebSocket? _handoff;

    public void Start() => _ws = WebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);

    public void StartHandoff() => _handoff = HandoffWebSocket.CreateFromStream(_stream, true, null, TimeSpan.Zero);

    public async Task StopAsync(byte[] data)
    {
        await _stream.WriteAsync(data);
        {|WSH002:_ws!.Dispose()|};
    }

    public async Task SwitchAsync()
    {
        var raw = await _handoff!.DetachAsync();
        await {|WSH002:_handoff.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
    }
}");

        [Fact]
        public Task Dispose_of_a_detached_HandoffWebSocket_is_not_reported() => VerifyAsync(@"
class C
{
    async Task<Stream> M(Stream stream)
    {
        using var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(5));
        var raw = await ws.DetachAsync();
        ws.Abort();
        return raw;
    }
}");

        [Fact]
        public Task Echo_loop_with_a_close_is_not_reported() => VerifyAsync(@"
class C
{
    async Task EchoAsync(Stream stream, CancellationToken ct)
    {
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return;
            }

            await ws.SendAsync(new ArraySegment<byte>(buffer, 0, result.Count), result.MessageType, result.EndOfMessage, ct);
        }
    }
}");

        [Fact]
        public Task Close_before_the_raw_use_and_close_on_another_path_are_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data, bool upgrade, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        if (upgrade)
        {
            var raw = await ws.DetachAsync(ct);
            await raw.WriteAsync(data, ct);
        }
        else
        {
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
    }
}");

        [Fact]
        public Task Close_of_another_WebSocket_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream a, Stream b, CancellationToken ct)
    {
        var first = HandoffWebSocket.CreateFromStream(a, true, null, TimeSpan.Zero);
        var second = HandoffWebSocket.CreateFromStream(b, true, null, TimeSpan.Zero);
        var raw = await first.DetachAsync(ct);
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }
}");

        [Fact]
        public Task Broken_code_does_not_crash_the_analyzer() => Verify.VerifyBrokenCodeAsync(WSH001Tests.Usings + @"
class C
{
    async Task M(Stream stream)
    {
        using var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero)
        var raw = await ws.DetachAsync(
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)
        using (
");

        [Fact]
        public async Task Diagnostics_carry_the_plan_on_a_BCL_WebSocket_and_the_creation_on_a_HandoffWebSocket()
        {
            var source = WSH001Tests.Usings + @"
class C
{
    async Task Bcl(Stream stream, byte[] data, CancellationToken ct)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        await stream.WriteAsync(data, ct);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }

    async Task Handoff(Stream stream, CancellationToken ct)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var raw = await ws.DetachAsync(ct);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }

    void Parameter(HandoffWebSocket ws)
    {
        ws.Detach();
        ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
    }
}";
            var diagnostics = await Verify.GetDiagnosticsAsync(source);
            Assert.Equal(3, diagnostics.Length);

            var bcl = diagnostics[0];
            Assert.Equal("Bcl", bcl.Properties["CreationKind"]);
            Assert.Equal("Close", bcl.Properties["CloseKind"]);
            Assert.Equal("true", bcl.Properties["Fixable"]);
            Assert.Equal("1", bcl.Properties["RootCount"]);
            Assert.Equal("1", bcl.Properties["CloseCount"]);
            Assert.Equal(4, bcl.AdditionalLocations.Count);
            Assert.Equal(bcl.Location, bcl.AdditionalLocations[3]);

            var handoff = diagnostics[1];
            Assert.Equal("Handoff", handoff.Properties["CreationKind"]);
            Assert.Equal("Close", handoff.Properties["CloseKind"]);
            Assert.Equal("HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero)", Text(source, handoff.AdditionalLocations.Single()));

            var parameter = diagnostics[2];
            Assert.Equal("Handoff", parameter.Properties["CreationKind"]);
            Assert.Empty(parameter.AdditionalLocations);
        }

        [Fact]
        public async Task CloseKind_says_Dispose_Abort_or_Using()
        {
            var source = WSH001Tests.Usings + @"
class C
{
    void A(Stream stream, Stream other)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        _ = stream.CopyToAsync(other);
        ws.Dispose();
    }

    void B(Stream stream, Stream other)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        _ = stream.CopyToAsync(other);
        ws.Abort();
    }

    void U(Stream stream, Stream other)
    {
        using var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        _ = stream.CopyToAsync(other);
    }
}";
            var diagnostics = await Verify.GetDiagnosticsAsync(source);
            Assert.Equal(new[] { "Dispose", "Abort", "Using" }, diagnostics.Select(d => d.Properties["CloseKind"]).ToArray());
            Assert.Equal("using", Text(source, diagnostics[2].Location));
            Assert.All(diagnostics, d => Assert.Equal("Bcl", d.Properties["CreationKind"]));
            Assert.All(diagnostics, d => Assert.Equal("0", d.Properties["CloseCount"]));
        }

        private static string Text(string source, Microsoft.CodeAnalysis.Location location) =>
            source.Substring(location.SourceSpan.Start, location.SourceSpan.Length);
    }
}
