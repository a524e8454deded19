using System.Linq;
using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    public class WSH003Tests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task Code_as_it_is_typed_never_makes_the_analyzer_throw() =>
            Verify.AssertNoExceptionOnTruncationsAsync(WSH001Tests.TruncationSample, step: 29);

        [Fact]
        public Task Keep_alive_interval_with_a_raw_use_is_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        var ws = {|WSH003:WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30))|};
        await stream.WriteAsync(data);
    }
}");

        [Fact]
        public Task Keep_alive_from_a_parameter_or_options_object_is_reported() => VerifyAsync(@"
class C
{
    void M(Stream stream, TimeSpan keepAlive, WebSocketCreationOptions options, byte[] data)
    {
        var a = {|WSH003:WebSocket.CreateFromStream(stream, true, null, keepAlive)|};
        var b = {|WSH003:WebSocket.CreateFromStream(stream, options)|};
        var c = {|WSH003:WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromMilliseconds(100) })|};
        stream.Write(data, 0, data.Length);
    }
}");

        [Fact]
        public Task Options_local_with_a_keep_alive_set_later_is_reported() => VerifyAsync(@"
class C
{
    void M(Stream stream, byte[] data)
    {
        var options = new WebSocketCreationOptions { IsServer = true };
        options.KeepAliveInterval = TimeSpan.FromSeconds(1);
        var ws = {|WSH003:WebSocket.CreateFromStream(stream, options)|};
        stream.Flush();
    }
}");

        [Fact]
        public Task Keep_alive_provably_off_is_not_reported() => VerifyAsync(@"
class C
{
    void M(Stream stream, byte[] data)
    {
        var a = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        var b = WebSocket.CreateFromStream(stream, true, null, Timeout.InfiniteTimeSpan);
        var c = WebSocket.CreateFromStream(stream, true, null, default);
        var d = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(0));
        var e = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromMilliseconds(-1));
        var f = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
        var g = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { KeepAliveInterval = TimeSpan.Zero });
        var options = new WebSocketCreationOptions { IsServer = true, SubProtocol = ""raw"" };
        var h = WebSocket.CreateFromStream(stream, options);
        var j = WebSocket.CreateFromStream(stream, true, null, new TimeSpan(0));
        var off = TimeSpan.Zero;
        var i = WebSocket.CreateFromStream(stream, false, null, off);
        stream.Write(data, 0, data.Length);
    }
}");

        [Fact]
        public Task Keep_alive_without_a_raw_use_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        await stream.WriteAsync(data);
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        await ws.SendAsync(data, WebSocketMessageType.Binary, true, default);
    }
}");

        [Fact]
        public Task HandoffWebSocket_with_keep_alive_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream stream, byte[] data)
    {
        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        await stream.WriteAsync(data);
    }
}");

        [Fact]
        public Task WebSocket_over_another_stream_than_the_raw_one_is_not_reported() => VerifyAsync(@"
class C
{
    async Task M(Stream browser, Stream backend, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(browser, true, null, TimeSpan.FromSeconds(30));
        await backend.WriteAsync(data);
    }
}");

        [Fact]
        public Task Broken_code_does_not_crash_the_analyzer() => Verify.VerifyBrokenCodeAsync(WSH001Tests.Usings + @"
class C
{
    void M(Stream stream)
    {
        var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { KeepAliveInterval = });
        var ws2 = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds());
        stream.Write(
");

        [Fact]
        public async Task Diagnostic_carries_the_handoff_plan()
        {
            var source = WSH001Tests.Usings + @"
class C
{
    void M(Stream stream, byte[] data)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(30));
        stream.Write(data, 0, data.Length);
    }
}";
            var diagnostic = (await Verify.GetDiagnosticsAsync(source)).Single();
            Assert.Equal(3, diagnostic.AdditionalLocations.Count);
            Assert.Equal(diagnostic.Location, diagnostic.AdditionalLocations[0]);
            Assert.Equal("Bcl", diagnostic.Properties["CreationKind"]);
            Assert.Equal("false", diagnostic.Properties["CanAwait"]);
            Assert.Equal("1", diagnostic.Properties["RootCount"]);
            Assert.Equal("0", diagnostic.Properties["CloseCount"]);
            Assert.Equal("true", diagnostic.Properties["Fixable"]);
        }
    }
}
