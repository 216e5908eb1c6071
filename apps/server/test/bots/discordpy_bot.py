"""An ordinary discord.py bot, pointed at Hearth by its endpoints only, doing what bots do.

Run by apps/server/test/scenario/discordpy.test.ts with HEARTH_URL, BOT_TOKEN, GUILD_ID, CHANNEL_ID, OWNER_ID and VICTIM_ID
set. It prints one line per flow, `FLOW <name> ok` or `FLOW <name> fail <error>`; `READY` once logged in, when it
waits for `ping` from the owner; `DM_READY` when it waits for `hello bot` from the owner in private; and
`COMMAND_READY` when its slash command `/reverse` (an attachment option) is registered and waits to be run. It exits
when every flow has run.
"""
import asyncio
import datetime
import io
import os
import sys
import traceback

import discord
import yarl

# The two endpoints a discord.py bot is pointed at: the REST base URL and, since discord.py 2.2 dials its default
# gateway URL rather than asking GET /gateway/bot, the gateway's (the ws form of the same host).
discord.http.Route.BASE = os.environ['HEARTH_URL'] + '/api/v10'
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ['HEARTH_URL'].replace('http', 'ws', 1) + '/gateway')

GUILD_ID = int(os.environ['GUILD_ID'])
CHANNEL_ID = int(os.environ['CHANNEL_ID'])
OWNER_ID = int(os.environ['OWNER_ID'])
VICTIM_ID = int(os.environ['VICTIM_ID'])

intents = discord.Intents.default()
intents.message_content = True
intents.members = True
client = discord.Client(intents=intents, chunk_guilds_at_startup=False)
tree = discord.app_commands.CommandTree(client)
# What the slash command with an attachment option received, and whether its answer (with a file) went out.
command_result = {}
command_done = asyncio.Event()


@tree.command(name='reverse', description='Answers with the file reversed', guild=discord.Object(id=GUILD_ID))
async def reverse(interaction: discord.Interaction, file: discord.Attachment):
    try:
        data = await file.read()
        command_result['name'] = file.filename
        command_result['data'] = data
        await interaction.response.send_message(
            content='reversed', file=discord.File(io.BytesIO(data[::-1]), filename='reversed.txt')
        )
        answer = await interaction.original_response()
        command_result['answer'] = answer
    except BaseException as err:  # noqa: BLE001 - reported by the flow
        command_result['error'] = repr(err)
    finally:
        command_done.set()


def say(line):
    print(line, flush=True)


async def flow(name, body):
    try:
        await asyncio.wait_for(body(), timeout=20)
        say(f'FLOW {name} ok')
    except BaseException as err:  # noqa: BLE001 - every failure is reported, none ends the run
        detail = ''.join(traceback.format_exception_only(type(err), err)).strip().replace('\n', ' ')
        say(f'FLOW {name} fail {detail}')
        traceback.print_exc(file=sys.stderr)


async def run():
    guild = client.get_guild(GUILD_ID)
    channel = client.get_channel(CHANNEL_ID)
    state = {}

    async def login():
        assert client.user is not None
        assert guild is not None, 'guild cached'
        assert channel is not None, 'channel cached'
        assert client.application_id is not None

    async def receive_and_reply():
        say('READY')
        message = await client.wait_for('message', check=lambda m: m.content == 'ping' and m.author.id == OWNER_ID)
        reply = await message.reply('pong')
        assert reply.reference is not None and reply.reference.message_id == message.id
        state['ping'] = message
        state['reply'] = reply

    async def edit():
        edited = await state['reply'].edit(content='pong!')
        assert edited.content == 'pong!', edited.content

    async def react():
        await state['ping'].add_reaction('👍')
        fetched = await channel.fetch_message(state['ping'].id)
        assert fetched.reactions and fetched.reactions[0].count == 1, fetched.reactions
        await state['ping'].remove_reaction('👍', client.user)

    async def pins():
        await state['ping'].pin()
        pinned = await channel.pins()
        assert any(m.id == state['ping'].id for m in pinned), pinned
        await state['ping'].unpin()

    async def history():
        messages = [m async for m in channel.history(limit=10)]
        assert any(m.id == state['ping'].id for m in messages)

    async def typing():
        async with channel.typing():
            pass

    async def embed():
        sent = await channel.send(embed=discord.Embed(title='Status', description='all good', color=0x00FF00))
        assert sent.embeds[0].title == 'Status'
        only_embed = await channel.send(content=None, embed=discord.Embed(title='No content'))
        assert only_embed.content == ''

    async def uploads():
        payload = bytes([0, 1, 2, 255]) + b'a file from discord.py'
        for content, name in [('here is a file', 'discordpy.bin'), (None, 'only.bin')]:
            sent = await channel.send(content=content, file=discord.File(io.BytesIO(payload), filename=name))
            assert sent.content == (content or ''), sent.content
            fetched = await channel.fetch_message(sent.id)
            assert [a.filename for a in fetched.attachments] == [name], fetched.attachments
            assert fetched.attachments[0].size == len(payload)
            data = await fetched.attachments[0].read()
            assert data == payload, data

    async def bulk_delete():
        doomed = [await channel.send(f'doomed {i}') for i in range(3)]
        await channel.delete_messages(doomed)
        for m in doomed:
            try:
                await channel.fetch_message(m.id)
            except discord.NotFound:
                continue
            raise AssertionError(f'{m.id} survived')

    async def delete():
        await state['reply'].delete()

    async def roles():
        role = await guild.create_role(name='Helpers', mentionable=True)
        member = await guild.fetch_member(OWNER_ID)
        await member.add_roles(role)
        member = await guild.fetch_member(OWNER_ID)
        assert role in member.roles, member.roles
        await member.edit(roles=[r for r in member.roles if not r.is_default() and r != role])
        await role.edit(name='Helpers 2', colour=discord.Colour.blue())
        await role.delete()

    async def chunk():
        members = await guild.chunk()
        assert any(m.id == OWNER_ID for m in members), members
        found = await guild.query_members(user_ids=[OWNER_ID])
        assert [m.id for m in found] == [OWNER_ID], found

    async def dm():
        owner = await client.fetch_user(OWNER_ID)
        sent = await owner.send('hello in private')
        assert sent.channel.type == discord.ChannelType.private

    async def dm_received():
        say('DM_READY')
        message = await client.wait_for(
            'message', check=lambda m: m.content == 'hello bot' and isinstance(m.channel, discord.DMChannel)
        )
        assert message.author.id == OWNER_ID
        await message.channel.send('hello person')

    async def overwrites():
        victim = await guild.fetch_member(VICTIM_ID)
        await channel.set_permissions(victim, send_messages=False, add_reactions=True)
        fresh = await client.fetch_channel(CHANNEL_ID)
        overwrite = fresh.overwrites_for(victim)
        assert overwrite.send_messages is False and overwrite.add_reactions is True, overwrite
        await channel.set_permissions(victim, overwrite=None)
        fresh = await client.fetch_channel(CHANNEL_ID)
        assert fresh.overwrites_for(victim).is_empty()

    async def threads():
        starter = await channel.send('a topic')
        thread = await starter.create_thread(name='topic')
        await thread.send('in the thread')
        history = [m async for m in thread.history(limit=5)]
        assert any(m.content == 'in the thread' for m in history), history
        standalone = await channel.create_thread(name='standalone', type=discord.ChannelType.public_thread)
        await standalone.edit(archived=True)

    async def timeout():
        victim = await guild.fetch_member(VICTIM_ID)
        await victim.timeout(datetime.timedelta(minutes=5), reason='calm down')
        victim = await guild.fetch_member(VICTIM_ID)
        assert victim.is_timed_out()
        await victim.timeout(None)

    async def attachment_option():
        synced = await tree.sync(guild=discord.Object(id=GUILD_ID))
        assert [c.name for c in synced] == ['reverse'], synced
        say('COMMAND_READY')
        await command_done.wait()
        assert 'error' not in command_result, command_result.get('error')
        assert command_result['name'] == 'numbers.txt', command_result['name']
        assert command_result['data'] == b'0123456789', command_result['data']
        answer = command_result['answer']
        assert answer.content == 'reversed', answer.content
        assert [a.filename for a in answer.attachments] == ['reversed.txt'], answer.attachments
        assert await answer.attachments[0].read() == b'9876543210'

    async def ban():
        await guild.ban(discord.Object(id=VICTIM_ID), reason='bye', delete_message_days=0)
        entry = await guild.fetch_ban(discord.Object(id=VICTIM_ID))
        assert entry.user.id == VICTIM_ID
        await guild.unban(discord.Object(id=VICTIM_ID))

    for name, body in [
        ('login', login),
        ('receive and reply', receive_and_reply),
        ('edit', edit),
        ('react', react),
        ('pins', pins),
        ('history', history),
        ('typing', typing),
        ('embed', embed),
        ('uploads', uploads),
        ('bulk delete', bulk_delete),
        ('delete', delete),
        ('roles', roles),
        ('member chunking', chunk),
        ('dm', dm),
        ('dm received', dm_received),
        ('overwrites', overwrites),
        ('threads', threads),
        ('timeout', timeout),
        ('ban', ban),
        ('attachment option', attachment_option),
    ]:
        await flow(name, body)
    say('DONE')


@client.event
async def on_ready():
    if getattr(client, '_flows_started', False):
        return
    client._flows_started = True
    try:
        await run()
    finally:
        await client.close()


client.run(os.environ['BOT_TOKEN'], log_handler=None)
