using System.Threading.Tasks;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>WSH006: the final send and the detach merged into SendAndDetachAsync.</summary>
    public class UseSendAndDetachCodeFixProviderTests
    {
        [Fact]
        public async Task Fix_merges_an_ArraySegment_send_and_DetachAsync_keeping_the_assignment()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(Stream stream, byte[] goodbye, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(1));
                            await {|WSH006:ws.SendAsync(new ArraySegment<byte>(goodbye), WebSocketMessageType.Binary, true, ct)|};
                            var raw = await ws.DetachAsync(ct).ConfigureAwait(false);
                            return raw;
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task<Stream> RunAsync(Stream stream, byte[] goodbye, CancellationToken ct)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.FromSeconds(1));
                            var raw = await ws.SendAndDetachAsync(new ArraySegment<byte>(goodbye), WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                            return raw;
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_passes_a_Memory_message_and_named_arguments_through_and_takes_the_detach_token_when_the_send_has_none()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, int count, CancellationToken token)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH006:ws.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None)|};
                            Stream raw = await ws.DetachAsync(token);
                            await raw.FlushAsync(token);
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, int count, CancellationToken token)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            Stream raw = await ws.SendAndDetachAsync(buffer.AsMemory(0, count), WebSocketMessageType.Text, token);
                            await raw.FlushAsync(token);
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_turns_a_synchronous_Detach_in_an_async_method_into_an_awaited_SendAndDetachAsync()
        {
            await new FixTest<UseSendAndDetachCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, ArraySegment<byte> last)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH006:ws.SendAsync(last, WebSocketMessageType.Binary, true, default)|};
                            ws.Detach().Flush();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, ArraySegment<byte> last)
                        {
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            (await ws.SendAndDetachAsync(last, WebSocketMessageType.Binary)).Flush();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_is_offered_for_a_synchronous_Detach_where_the_method_cannot_await()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using WebSocketHandoff;

                class Bridge
                {
                    Stream Run(Stream stream, ArraySegment<byte> last)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        {|WSH006:ws.SendAsync(last, WebSocketMessageType.Binary, true, CancellationToken.None)|}.GetAwaiter().GetResult();
                        return ws.Detach();
                    }
                }
                """;
            await new FixTest<UseSendAndDetachCodeFixProvider> { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_merges_every_final_send_in_every_document()
        {
            var test = new FixTest<UseSendAndDetachCodeFixProvider>();
            test.TestState.Sources.Add(("Server.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Server
                {
                    async Task<Stream> FirstAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH006:ws.SendAsync(new ArraySegment<byte>(new byte[] { 1 }), WebSocketMessageType.Binary, true, ct)|};
                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream> SecondAsync(Stream stream, ReadOnlyMemory<byte> bye, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, true, ct)|};
                        var raw = await ws.DetachAsync(ct);
                        return raw;
                    }
                }
                """));
            test.TestState.Sources.Add(("Client.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Client
                {
                    async Task<Stream> RunAsync(Stream stream, ArraySegment<byte> bye)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, default)|};
                        return await ws.DetachAsync();
                    }
                }
                """));
            test.FixedState.Sources.Add(("Server.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Server
                {
                    async Task<Stream> FirstAsync(Stream stream, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        return await ws.SendAndDetachAsync(new ArraySegment<byte>(new byte[] { 1 }), WebSocketMessageType.Binary, ct);
                    }

                    async Task<Stream> SecondAsync(Stream stream, ReadOnlyMemory<byte> bye, CancellationToken ct)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = await ws.SendAndDetachAsync(bye, WebSocketMessageType.Text, ct);
                        return raw;
                    }
                }
                """));
            test.FixedState.Sources.Add(("Client.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class Client
                {
                    async Task<Stream> RunAsync(Stream stream, ArraySegment<byte> bye)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, false, null, TimeSpan.Zero);
                        return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary);
                    }
                }
                """));
            test.NumberOfFixAllInDocumentIterations = 2;
            await test.RunAsync();
        }
    }
}
