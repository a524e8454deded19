using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Review;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.KeepAliveOnHandoffAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// WSH003 and a keep-alive interval named by a readonly field of the same file: off when the field's initializer is
    /// provably zero or infinite and no constructor or <c>init</c> accessor of its type can assign it.
    /// </summary>
    public class KeepAliveReadOnlyFieldTests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(ReviewSources.Usings + code);

        [Fact]
        public Task Readonly_fields_initialized_to_zero_or_infinite_are_keep_alive_off() => VerifyAsync("""
            static class Defaults
            {
                public static readonly TimeSpan KeepAlive = Timeout.InfiniteTimeSpan;
            }

            class C
            {
                private static readonly TimeSpan NoKeepAlive = TimeSpan.Zero;
                private static readonly TimeSpan Copy = NoKeepAlive;
                private readonly TimeSpan _off = TimeSpan.FromSeconds(0);

                async Task A(Stream stream, CancellationToken ct)
                {
                    var ws = WebSocket.CreateFromStream(stream, true, null, NoKeepAlive);
                    await stream.WriteAsync(new byte[1], ct);
                }

                async Task B(Stream stream, CancellationToken ct)
                {
                    var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Defaults.KeepAlive });
                    await stream.WriteAsync(new byte[1], ct);
                }

                async Task D(Stream stream, CancellationToken ct)
                {
                    var ws = WebSocket.CreateFromStream(stream, true, null, Copy);
                    await stream.WriteAsync(new byte[1], ct);
                    var ws2 = WebSocket.CreateFromStream(stream, true, null, _off);
                    await stream.FlushAsync(ct);
                }
            }
            """);

        [Fact]
        public Task Fields_a_constructor_or_init_accessor_may_assign_or_not_readonly_or_not_zero_may_be_on() => VerifyAsync("""
            class C
            {
                private static readonly TimeSpan Assigned = TimeSpan.Zero;
                private readonly TimeSpan _fromCtor = TimeSpan.Zero;
                private readonly TimeSpan _fromInit = TimeSpan.Zero;
                private static TimeSpan Mutable = TimeSpan.Zero;
                private static readonly TimeSpan On = TimeSpan.FromSeconds(30);

                static C() { Assigned = TimeSpan.FromSeconds(1); }
                public C(TimeSpan k) { _fromCtor = k; }
                public TimeSpan Init { init => _fromInit = value; }

                async Task A(Stream stream, CancellationToken ct)
                {
                    var a = {|WSH003:WebSocket.CreateFromStream(stream, true, null, Assigned)|};
                    await stream.WriteAsync(new byte[1], ct);
                }

                async Task B(Stream stream, CancellationToken ct)
                {
                    var b = {|WSH003:WebSocket.CreateFromStream(stream, true, null, _fromCtor)|};
                    await stream.WriteAsync(new byte[1], ct);
                }

                async Task D(Stream stream, CancellationToken ct)
                {
                    var d = {|WSH003:WebSocket.CreateFromStream(stream, true, null, _fromInit)|};
                    await stream.WriteAsync(new byte[1], ct);
                }

                async Task E(Stream stream, CancellationToken ct)
                {
                    var e = {|WSH003:WebSocket.CreateFromStream(stream, true, null, Mutable)|};
                    await stream.WriteAsync(new byte[1], ct);
                }

                async Task F(Stream stream, CancellationToken ct)
                {
                    var f = {|WSH003:WebSocket.CreateFromStream(stream, true, null, On)|};
                    await stream.WriteAsync(new byte[1], ct);
                }
            }
            """);
    }
}
